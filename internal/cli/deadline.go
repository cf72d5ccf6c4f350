package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/txn"
)

// deadline is the last height at which something can still happen, and about when the
// chain reaches it: worded one way wherever a deadline is shown.
type deadline struct {
	Height int64 `json:"height"`
	// About is the block's time once the chain has reached it, else an estimate; zero
	// when the node could not say.
	About time.Time `json:"about,omitzero"`
}

// deadlineAt is the deadline at height, with about when the chain reaches it.
func deadlineAt(ctx context.Context, c *client.Client, height int64) deadline {
	d := deadline{Height: height}
	if at, err := c.EstimateTime(ctx, height); err == nil {
		d.About = at
	}
	return d
}

// payableUntil is an order's payment deadline.
func payableUntil(ctx context.Context, c *client.Client, o txn.Order) deadline {
	return deadlineAt(ctx, c, o.ExpiresHeight)
}

// submitUntil is the deadline of a signed transaction valid until validUntil.
func submitUntil(ctx context.Context, c *client.Client, validUntil uint64) deadline {
	return deadlineAt(ctx, c, int64(validUntil))
}

// String is "payable up to and including height H, about HH:MM".
func (d deadline) String() string { return "payable " + d.upTo() }

// submittable is "submittable up to and including height H, about HH:MM".
func (d deadline) submittable() string { return "submittable " + d.upTo() }

func (d deadline) upTo() string {
	s := fmt.Sprintf("up to and including height %d", d.Height)
	if !d.About.IsZero() {
		s += ", about " + d.About.Local().Format(aboutLayout(d.About))
	}
	return s
}

// aboutLayout shows the time of day, and the date too when it is not today.
func aboutLayout(t time.Time) string {
	if t.Local().Format(time.DateOnly) != time.Now().Local().Format(time.DateOnly) {
		return "2006-01-02 15:04"
	}
	return "15:04"
}

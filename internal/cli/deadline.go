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

// payableUntil is an order's payment deadline.
func payableUntil(ctx context.Context, c *client.Client, o txn.Order) deadline {
	d := deadline{Height: o.ExpiresHeight}
	if at, err := c.EstimateTime(ctx, o.ExpiresHeight); err == nil {
		d.About = at
	}
	return d
}

// String is "payable up to and including height H, about HH:MM".
func (d deadline) String() string {
	s := fmt.Sprintf("payable up to and including height %d", d.Height)
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

package gateway

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/chipmint/chipmint/internal/camt"
)

// NotificationSource is a bank's feed of camt.054 notifications for an account, named
// in canonical form (its IBAN, or its other identification under its scheme): the
// entries after a cursor, and the cursor after them (nil document when nothing is new).
// The sandbox bank's client is one.
type NotificationSource interface {
	Notifications(ctx context.Context, account string, after uint64) ([]byte, uint64, error)
}

// RunFeed reads the operator account's notifications from the bank until ctx is done.
// The cursor advances only once a document's entries are all journaled and handled, so
// a crash re-reads the document and the journal skips what was done. A document that
// does not parse is kept in failedDir for a person, listed with the failed files, and
// skipped.
func (g *Gateway) RunFeed(ctx context.Context, src NotificationSource, failedDir string, poll time.Duration) error {
	feed := "bank:" + g.cfg.Operator.PaymentAccount().Identification()
	g.resumeUntilDone(ctx)
	wait := poll
	for ctx.Err() == nil {
		more, err := g.feedOnce(ctx, src, feed, failedDir)
		switch {
		case err != nil:
			wait = min(max(2*wait, poll), 30*time.Second)
			g.log.Warn("bank feed", "err", err, "retry_in", wait)
			g.resumeUntilDone(ctx)
		case more:
			wait = poll
			continue
		default:
			wait = poll
		}
		sleep(ctx, wait)
	}
	return nil
}

// feedOnce handles one document from the feed; more says another may be waiting.
func (g *Gateway) feedOnce(ctx context.Context, src NotificationSource, feed, failedDir string) (more bool, err error) {
	defer func() {
		if err == nil {
			g.markRead()
		}
	}()
	after, err := g.cfg.Journal.Cursor(feed)
	if err != nil {
		return false, err
	}
	doc, next, err := src.Notifications(ctx, g.cfg.Operator.PaymentAccount().Identification(), after)
	if err != nil || doc == nil {
		return false, err
	}
	sum, err := g.Process(ctx, doc, feed)
	var perr *camt.ParseError
	switch {
	case errors.As(err, &perr):
		if kerr := os.MkdirAll(failedDir, 0o700); kerr != nil {
			return false, kerr
		}
		name := fmt.Sprintf("feed-%d-%d.xml", after, next)
		if kerr := g.setAside(failedDir, name, err.Error(), func(path string) error { return writeDurably(path, doc) }); kerr != nil {
			return false, kerr
		}
	case err != nil:
		return false, err
	default:
		g.log.Info("bank notification handled", "feed", feed, "after", after, "next", next,
			"entries", sum.Entries, "confirmed", sum.Confirmed, "exceptions", sum.Exceptions, "duplicates", sum.Duplicates)
	}
	return next > after, g.cfg.Journal.SetCursor(feed, next)
}

// resumeUntilDone retries the unfinished entries once; what still fails waits for the
// next error-free round.
func (g *Gateway) resumeUntilDone(ctx context.Context) {
	if sum, err := g.Resume(ctx); err != nil {
		g.log.Warn("resuming journaled entries", "err", err)
	} else if sum.Confirmed+sum.Exceptions+sum.Receipts > 0 {
		g.log.Info("resumed journaled entries", "confirmed", sum.Confirmed, "exceptions", sum.Exceptions, "receipts", sum.Receipts)
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

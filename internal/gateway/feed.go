package gateway

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/chipmint/chipmint/internal/camt"
)

// NotificationSource is a bank's feed of camt.054 notifications for an account:
// the entries after a cursor, and the cursor after them (nil document when nothing is
// new). The sandbox bank's client is one.
type NotificationSource interface {
	Notifications(ctx context.Context, iban string, after uint64) ([]byte, uint64, error)
}

// RunFeed reads the operator account's notifications from the bank until ctx is done.
// The cursor advances only once a document's entries are all journaled and handled, so
// a crash re-reads the document and the journal skips what was done. A document that
// does not parse is kept in failedDir for a person and skipped.
func (g *Gateway) RunFeed(ctx context.Context, src NotificationSource, failedDir string, poll time.Duration) error {
	iban := g.cfg.Operator.Account.IBAN
	feed := "bank:" + iban
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
	after, err := g.cfg.Journal.Cursor(feed)
	if err != nil {
		return false, err
	}
	doc, next, err := src.Notifications(ctx, g.cfg.Operator.Account.IBAN, after)
	if err != nil || doc == nil {
		return false, err
	}
	sum, err := g.Process(ctx, doc, feed)
	var perr *camt.ParseError
	switch {
	case errors.As(err, &perr):
		name := fmt.Sprintf("feed-%d-%d.xml", after, next)
		if kerr := keepFailed(failedDir, name, doc, err); kerr != nil {
			return false, kerr
		}
		g.log.Error("bank notification does not parse; kept for a person", "file", filepath.Join(failedDir, name), "err", err)
	case err != nil:
		return false, err
	default:
		g.log.Info("bank notification handled", "feed", feed, "after", after, "next", next,
			"entries", sum.Entries, "confirmed", sum.Confirmed, "exceptions", sum.Exceptions, "duplicates", sum.Duplicates)
	}
	return next > after, g.cfg.Journal.SetCursor(feed, next)
}

// RunFolder handles the camt files banks drop into inbox until ctx is done: each file
// handled goes to inbox/processed, each that does not parse to inbox/failed with a
// note of why. A file waits in the inbox while the node is unreachable.
func (g *Gateway) RunFolder(ctx context.Context, inbox string, poll time.Duration) error {
	for _, d := range []string{"processed", "failed"} {
		if err := os.MkdirAll(filepath.Join(inbox, d), 0o700); err != nil {
			return fmt.Errorf("gateway: inbox: %w", err)
		}
	}
	g.resumeUntilDone(ctx)
	for ctx.Err() == nil {
		if err := g.FolderOnce(ctx, inbox); err != nil {
			g.log.Warn("drop folder", "err", err)
			g.resumeUntilDone(ctx)
		}
		sleep(ctx, poll)
	}
	return nil
}

// FolderOnce handles every file waiting in inbox, oldest name first.
func (g *Gateway) FolderOnce(ctx context.Context, inbox string) error {
	names, err := filepath.Glob(filepath.Join(inbox, "*.xml"))
	if err != nil {
		return err
	}
	slices.Sort(names)
	for _, path := range names {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		base := filepath.Base(path)
		sum, err := g.Process(ctx, b, "file:"+base)
		var perr *camt.ParseError
		switch {
		case errors.As(err, &perr):
			if kerr := keepFailed(filepath.Join(inbox, "failed"), base, b, err); kerr != nil {
				return kerr
			}
			if rerr := os.Remove(path); rerr != nil {
				return rerr
			}
			g.log.Error("bank file does not parse; moved to failed", "file", base, "err", err)
			continue
		case err != nil:
			return err
		}
		if err := os.Rename(path, filepath.Join(inbox, "processed", base)); err != nil {
			return err
		}
		g.log.Info("bank file handled", "file", base, "entries", sum.Entries, "confirmed", sum.Confirmed,
			"exceptions", sum.Exceptions, "duplicates", sum.Duplicates)
	}
	return nil
}

// keepFailed stores a document that does not parse, and why, for a person.
func keepFailed(dir, name string, doc []byte, why error) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, name), doc); err != nil {
		return err
	}
	note := strings.TrimSuffix(name, filepath.Ext(name)) + ".error.txt"
	return writeFileAtomic(filepath.Join(dir, note), []byte(why.Error()+"\n"))
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

package gateway

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chipmint/chipmint/internal/camt"
)

// RunFolder handles the camt files a bank drops into inbox until ctx is done, looking
// every poll. A file is read once it is whole: the bank writes it under a name ending
// in .part, or starting with a dot, and renames it when done; and a file is read only
// when neither its size nor its modification time changed since the previous look.
// Files named .xml, .zip or .gz, in any case, are read, in name order; each file
// handled moves to inbox/processed, each that cannot be read or does not parse to
// inbox/failed with a note of why, and neither ever replaces a file already there. A
// file waits in the inbox while the node is unreachable.
func (g *Gateway) RunFolder(ctx context.Context, inbox string, poll time.Duration) error {
	f, err := g.newFolder(inbox)
	if err != nil {
		return err
	}
	g.resumeUntilDone(ctx)
	for ctx.Err() == nil {
		if err := f.poll(ctx); err != nil {
			g.log.Warn("drop folder", "err", err)
			g.resumeUntilDone(ctx)
		} else {
			g.markRead()
		}
		sleep(ctx, poll)
	}
	return nil
}

// folder is a drop folder that the gateway reads.
type folder struct {
	g         *Gateway
	inbox     string
	processed string
	failed    string
	limits    unpackLimits
	// open opens a delivered file to read it: os.Open, or a failing stand-in in tests.
	open func(name string) (*os.File, error)
	// last is each delivery in the inbox as the previous poll saw it.
	last map[string]fs.FileInfo
}

// newFolder makes the inbox's processed and failed folders if need be.
func (g *Gateway) newFolder(inbox string) (*folder, error) {
	f := &folder{
		g: g, inbox: inbox, processed: filepath.Join(inbox, "processed"), failed: filepath.Join(inbox, "failed"),
		limits: deliveryLimits, open: os.Open, last: make(map[string]fs.FileInfo),
	}
	for _, d := range []string{f.processed, f.failed} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("gateway: inbox: %w", err)
		}
	}
	return f, nil
}

// poll handles, in name order, every delivery that has not changed since the previous
// poll. A delivery that cannot be read, or holds a document that does not parse, goes
// to failed/ and the next one is handled. An error, such as the node or the journal
// failing, ends the poll: the delivery and those after it wait for the next.
func (f *folder) poll(ctx context.Context) error {
	entries, err := os.ReadDir(f.inbox)
	if err != nil {
		return fmt.Errorf("gateway: inbox: %w", err)
	}
	seen := make(map[string]fs.FileInfo)
	var ready []string
	for _, e := range entries {
		if e.IsDir() || !isDelivery(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // gone since the listing
		}
		seen[e.Name()] = info
		if before, ok := f.last[e.Name()]; ok && unchanged(before, info) {
			ready = append(ready, e.Name())
		}
	}
	f.last = seen
	for _, name := range ready {
		if err := f.take(ctx, name, seen[name]); err != nil {
			return err
		}
	}
	return nil
}

// isDelivery reports whether a file of the inbox is to be read: named .xml, .zip or
// .gz, in any case, and not hidden by a leading dot. A file still being written is
// named .part, or hidden, and so is not.
func isDelivery(name string) bool {
	if strings.HasPrefix(name, ".") {
		return false
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xml", ".zip", ".gz":
		return true
	}
	return false
}

// unchanged reports whether a file still is what it was: the same file, of the same
// size, mode and modification time.
func unchanged(before, now fs.FileInfo) bool {
	return os.SameFile(before, now) && before.Size() == now.Size() && before.Mode() == now.Mode() &&
		before.ModTime().Equal(now.ModTime())
}

// take reads the delivery name, which held still since the previous poll as info, and
// handles its documents; or sets it aside in failed/ with the reason.
func (f *folder) take(ctx context.Context, name string, info fs.FileInfo) error {
	from := filepath.Join(f.inbox, name)
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		return f.setAside(name, "a symbolic link, which the gateway does not follow")
	case !info.Mode().IsRegular():
		return f.setAside(name, fmt.Sprintf("not a plain file (%s)", info.Mode().Type()))
	}
	file, err := f.open(from)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return f.noteVanished(name)
	case err != nil:
		return f.setAside(name, fmt.Sprintf("cannot be read: %v", err))
	}
	defer file.Close()
	docs, unpackErr := unpack(name, file, info.Size(), f.limits)
	if now, err := file.Stat(); err != nil || !unchanged(info, now) {
		return nil // written to while read: read again once it holds still
	}
	if err := file.Sync(); err != nil {
		return fmt.Errorf("gateway: sync %s: %w", from, err)
	}
	if unpackErr != nil {
		return f.setAside(name, unpackErr.Error())
	}
	for _, d := range docs {
		if _, err := camt.Parse(d.body); err != nil {
			reason := err.Error()
			if d.name != name {
				reason = strings.TrimPrefix(d.name, name+"!") + ": " + reason
			}
			return f.setAside(name, reason)
		}
	}
	for _, d := range docs {
		sum, err := f.g.Process(ctx, d.body, "file:"+d.name)
		if err != nil {
			return err
		}
		f.g.log.Info("bank file handled", "file", d.name, "entries", sum.Entries, "confirmed", sum.Confirmed,
			"exceptions", sum.Exceptions, "duplicates", sum.Duplicates)
	}
	kept, err := moveInto(f.processed, from)
	if err != nil {
		return err
	}
	f.g.log.Info("bank file moved to processed", "file", name, "kept", kept)
	return nil
}

// setAside moves the delivery name to failed/ with a note of why.
func (f *folder) setAside(name, reason string) error {
	from := filepath.Join(f.inbox, name)
	return f.g.setAside(f.failed, name, reason, func(to string) error { return moveTo(from, to) })
}

// noteVanished notes in failed/ a delivery that was gone when it was to be read, so
// that a person learns of a file the gateway saw and never read.
func (f *folder) noteVanished(name string) error {
	return f.g.setAside(f.failed, name, "vanished from the inbox before it could be read", nil)
}

package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cockroachdb/pebble"
)

// FailedFile is a bank file the gateway set aside for a person because it could not
// take it: a drop-folder delivery it could not read, or a document, delivered or from
// the feed, that does not parse. Its entries are not handled.
type FailedFile struct {
	// Name is the file's name as delivered, or the feed document's
	// ("feed-<after>-<next>.xml").
	Name string `json:"name"`
	// Path is where the file is kept, under a name no other file there had; empty when
	// nothing was left to keep (the file vanished before it could be read).
	Path string `json:"path,omitempty"`
	// Note is the file beside it that says why.
	Note     string    `json:"note"`
	Reason   string    `json:"reason"`
	FailedAt time.Time `json:"failed_at"`
}

// prefixFailed keys the journal's records of files set aside, by their note's path.
const prefixFailed = "failed/"

// storedFailed is a FailedFile as the journal stores it.
type storedFailed struct {
	Version  int       `json:"v"`
	Name     string    `json:"name"`
	Path     string    `json:"path,omitempty"`
	Note     string    `json:"note"`
	Reason   string    `json:"reason"`
	FailedAt time.Time `json:"failed_at"`
}

// PutFailed records a file set aside, durably.
func (j *Journal) PutFailed(f FailedFile) error {
	b, err := json.Marshal(storedFailed{Version: journalVersion, Name: f.Name, Path: f.Path, Note: f.Note, Reason: f.Reason, FailedAt: f.FailedAt})
	if err != nil {
		return err
	}
	if err := j.db.Set([]byte(prefixFailed+f.Note), b, pebble.Sync); err != nil {
		return fmt.Errorf("gateway: journal write %s: %w", f.Note, err)
	}
	return nil
}

// Failed lists the files set aside, oldest first.
func (j *Journal) Failed() ([]FailedFile, error) {
	var out []FailedFile
	err := j.each(prefixFailed, func(key, value []byte) error {
		var s storedFailed
		if err := json.Unmarshal(value, &s); err != nil {
			return fmt.Errorf("gateway: journal record %q: %w", key, err)
		}
		if s.Version > journalVersion {
			return fmt.Errorf("gateway: journal record %q: version %d is newer than this gateway's %d: upgrade the gateway", key, s.Version, journalVersion)
		}
		out = append(out, FailedFile{Name: s.Name, Path: s.Path, Note: s.Note, Reason: s.Reason, FailedAt: s.FailedAt})
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b FailedFile) int { return a.FailedAt.Compare(b.FailedAt) })
	return out, nil
}

// setAside keeps the bank file name in dir for a person, under a name that no file
// there has, with a note of why beside it, and records it in the journal. put moves or
// writes the file to the path it is given; nil keeps only the note.
func (g *Gateway) setAside(dir, name, reason string, put func(path string) error) error {
	kept, err := freeName(dir, name)
	if err != nil {
		return err
	}
	f := FailedFile{Name: name, Note: filepath.Join(dir, noteName(kept)), Reason: reason, FailedAt: g.now().UTC()}
	if put != nil {
		f.Path = filepath.Join(dir, kept)
		if err := put(f.Path); err != nil {
			return err
		}
	}
	if err := writeDurably(f.Note, []byte(reason+"\n")); err != nil {
		return err
	}
	if err := g.cfg.Journal.PutFailed(f); err != nil {
		return err
	}
	g.log.Error("bank file set aside for a person", "file", name, "kept", f.Path, "reason", reason)
	return nil
}

// noteName is the name of the note that says why the file name was set aside:
// "a.xml" has "a.error.txt".
func noteName(name string) string {
	return strings.TrimSuffix(name, filepath.Ext(name)) + ".error.txt"
}

// freeName is name, or if dir has a file of that name or of its note, the first of
// name.2, name.3, … (the number before the extension: "a.2.xml") that it has not.
func freeName(dir, name string) (string, error) {
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for n := 1; ; n++ {
		candidate := name
		if n > 1 {
			candidate = stem + "." + strconv.Itoa(n) + ext
		}
		taken, err := anyExists(filepath.Join(dir, candidate), filepath.Join(dir, noteName(candidate)))
		if err != nil || !taken {
			return candidate, err
		}
	}
}

// anyExists reports whether any of the paths names a file, even a dangling link.
func anyExists(paths ...string) (bool, error) {
	for _, p := range paths {
		_, err := os.Lstat(p)
		switch {
		case err == nil:
			return true, nil
		case !errors.Is(err, fs.ErrNotExist):
			return false, err
		}
	}
	return false, nil
}

// moveInto moves the file at from to the folder dir under a name no file there has,
// and returns its new path.
func moveInto(dir, from string) (string, error) {
	name, err := freeName(dir, filepath.Base(from))
	if err != nil {
		return "", err
	}
	to := filepath.Join(dir, name)
	if err := moveTo(from, to); err != nil {
		return "", err
	}
	return to, nil
}

// moveTo renames from to to and syncs the folders of both, so that the move outlives a
// crash.
func moveTo(from, to string) error {
	if err := os.Rename(from, to); err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	return errors.Join(syncDir(filepath.Dir(to)), syncDir(filepath.Dir(from)))
}

// writeDurably writes b to path through a temporary file that is synced before it is
// renamed into place, and syncs the folder: a crash leaves the whole file or none.
func writeDurably(path string, b []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("gateway: write %s: %w", path, err)
	}
	_, err = tmp.Write(b)
	err = errors.Join(err, tmp.Sync(), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("gateway: write %s: %w", path, err)
	}
	return syncDir(dir)
}

// syncDir syncs a folder, so that the names just made in it outlive a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("gateway: sync %s: %w", dir, err)
	}
	if err := errors.Join(d.Sync(), d.Close()); err != nil {
		return fmt.Errorf("gateway: sync %s: %w", dir, err)
	}
	return nil
}

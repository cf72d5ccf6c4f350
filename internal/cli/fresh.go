package cli

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// freshDir remembers whether a folder was absent or empty before a command set it up,
// so that a first start that fails leaves no half-made home behind.
type freshDir struct {
	path    string
	existed bool
	fresh   bool
}

func noteFresh(path string) freshDir {
	entries, err := os.ReadDir(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return freshDir{path: path, fresh: true}
	case err == nil && len(entries) == 0:
		return freshDir{path: path, existed: true, fresh: true}
	}
	return freshDir{path: path, existed: true}
}

// undo removes what was made in a folder that was absent or empty; it leaves any
// other folder alone.
func (f freshDir) undo() {
	if !f.fresh {
		return
	}
	if !f.existed {
		os.RemoveAll(f.path)
		return
	}
	entries, _ := os.ReadDir(f.path)
	for _, e := range entries {
		os.RemoveAll(filepath.Join(f.path, e.Name()))
	}
}

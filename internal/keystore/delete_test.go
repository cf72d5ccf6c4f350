package keystore

import (
	"errors"
	"io/fs"
	"os"
	"slices"
	"testing"
)

func TestDelete(t *testing.T) {
	tests := []struct {
		name     string
		key      string
		corrupt  bool // alice's file is damaged first
		wantErr  error
		wantLeft []string
	}{
		{name: "deletes", key: "alice", wantLeft: []string{"bob"}},
		{name: "unknown key", key: "carol", wantErr: ErrKeyNotFound, wantLeft: []string{"alice", "bob"}},
		{name: "bad name", key: "../alice", wantErr: ErrBadName, wantLeft: []string{"alice", "bob"}},
		{name: "damaged key file is left alone", key: "alice", corrupt: true, wantErr: ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			alice, err := s.Import("alice", testPassphrase, seedKey(1))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Import("bob", testPassphrase, seedKey(2)); err != nil {
				t.Fatal(err)
			}
			if tt.corrupt {
				writeFile(t, s.path("alice"), []byte("not json"))
			}
			k, err := s.Delete(tt.key)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Delete error = %v, want %v", err, tt.wantErr)
			}
			if tt.corrupt {
				if _, err := os.Stat(s.path("alice")); err != nil {
					t.Fatalf("damaged key file is gone: %v", err)
				}
				return
			}
			if err == nil && !keysEqual(k, alice) {
				t.Fatalf("Delete = %+v, want %+v", k, alice)
			}
			if err == nil {
				if _, err := os.Stat(s.path("alice")); !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("key file still there (stat error %v)", err)
				}
			}
			keys, err := s.List()
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, k := range keys {
				names = append(names, k.Name)
			}
			if !slices.Equal(names, tt.wantLeft) {
				t.Fatalf("keys left %q, want %q", names, tt.wantLeft)
			}
			if _, err := s.Unlock("bob", testPassphrase); err != nil {
				t.Fatalf("the other key no longer unlocks: %v", err)
			}
		})
	}
}

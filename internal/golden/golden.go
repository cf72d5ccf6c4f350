// Package golden holds the tests' golden files of consensus bytes: one hex file per
// encoding under a package's testdata, compared byte for byte and rewritten only with
// -update. A changed golden file is a consensus-breaking change and says so.
//
// It is a test-support package: only tests import it.
package golden

import (
	"bytes"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Update rewrites the golden files instead of comparing with them.
var Update = flag.Bool("update", false, "rewrite golden files")

// CheckHex compares b with the hex golden file dir/name.hex, or rewrites it under
// -update. why says what a difference breaks, for the failure's message.
func CheckHex(t *testing.T, dir, name string, b []byte, why string) {
	t.Helper()
	path := filepath.Join(dir, name+".hex")
	if *Update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(hex.EncodeToString(b)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := ReadHex(t, path); !bytes.Equal(b, want) {
		t.Fatalf("%s changed: this is a consensus-breaking change (%s); "+
			"if it is intended, rerun with -update and say so in the commit\ngot  %x\nwant %x", path, why, b, want)
	}
}

// ReadHex reads a hex golden file.
func ReadHex(t testing.TB, path string) []byte {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (create it with -update): %v", err)
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(text)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

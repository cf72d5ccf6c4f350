package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/keystore"
	"github.com/chipmint/chipmint/internal/node"
)

// fakeTerminal stands in for a person at the terminal: the keys commands
// take it from the command's input, and it answers their prompts from a
// script, in order, until it runs out with io.EOF as Ctrl-D would.
type fakeTerminal struct {
	answers []string
	prompts []string
}

// Read makes fakeTerminal an input cobra accepts; nothing reads it as such.
func (f *fakeTerminal) Read([]byte) (int, error) { return 0, io.EOF }

func (f *fakeTerminal) ReadSecret(prompt string) ([]byte, error) {
	s, err := f.next(prompt)
	return []byte(s), err
}

func (f *fakeTerminal) next(prompt string) (string, error) {
	f.prompts = append(f.prompts, prompt)
	if len(f.answers) == 0 {
		return "", io.EOF
	}
	a := f.answers[0]
	f.answers = f.answers[1:]
	return a, nil
}

// noTerminal is an input that is not a terminal, as a pipe would be.
var noTerminal = strings.NewReader("")

// runIn is run with the command's input taken from in.
func runIn(t *testing.T, in io.Reader, args ...string) (string, string, ExitCode) {
	t.Helper()
	var out, errOut bytes.Buffer
	g := &Globals{Out: &out, Err: &errOut}
	cmd := NewCmdRoot(g)
	cmd.SetArgs(args)
	cmd.SetIn(in)
	code := ExitOK
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		code = g.report(err)
	}
	return out.String(), errOut.String(), code
}

// keyNames lists the keys in home through `keys list -o json`.
func keyNames(t *testing.T, home string) []string {
	t.Helper()
	out, errOut, code := runIn(t, noTerminal, "--home", home, "keys", "list", "-o", "json")
	if code != ExitOK {
		t.Fatalf("keys list: exit %d: %s", code, errOut)
	}
	var keys []keyView
	if err := json.Unmarshal([]byte(out), &keys); err != nil {
		t.Fatalf("keys list: %v: %s", err, out)
	}
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		names = append(names, k.Name)
	}
	return names
}

// addKey creates the key name in home under passphrase.
func addKey(t *testing.T, home, name, passphrase string) keyView {
	t.Helper()
	t.Setenv("CHIPMINT_PASSPHRASE", passphrase)
	out, errOut, code := runIn(t, noTerminal, "--home", home, "keys", "add", name, "-o", "json")
	if code != ExitOK {
		t.Fatalf("keys add %s: exit %d: %s", name, code, errOut)
	}
	var k keyView
	if err := json.Unmarshal([]byte(out), &k); err != nil {
		t.Fatalf("keys add %s: %v: %s", name, err, out)
	}
	return k
}

// unlock fails the test unless the key name in home opens with passphrase.
func unlock(t *testing.T, home, name, passphrase string) {
	t.Helper()
	ks, err := keystore.Open(node.KeysDir(home))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ks.Unlock(name, passphrase); err != nil {
		t.Fatalf("key %s does not open with %q: %v", name, passphrase, err)
	}
}

func TestKeysAdd(t *testing.T) {
	tests := []struct {
		name        string
		env         string
		answers     []string // nil: no terminal
		existing    bool     // a key "alice" is already stored
		wantCode    ExitCode
		wantErr     string
		wantPrompts int
		wantUnlock  string // the passphrase the new key opens with
	}{
		{name: "environment, no terminal", env: "from env", wantUnlock: "from env"},
		{name: "environment wins over the terminal", env: "from env", answers: []string{"typed", "other"}, wantUnlock: "from env"},
		{name: "typed twice the same", answers: []string{"typed", "typed"}, wantPrompts: 2, wantUnlock: "typed"},
		{name: "typed twice differently", answers: []string{"typed", "tyepd"}, wantCode: ExitError, wantErr: "the passphrases do not match; nothing was created", wantPrompts: 2},
		{name: "typed empty", answers: []string{""}, wantCode: ExitError, wantErr: "empty passphrase", wantPrompts: 1},
		{name: "no environment, no terminal", wantCode: ExitError, wantErr: "CHIPMINT_PASSPHRASE"},
		{name: "name taken, asks nothing", existing: true, answers: []string{"typed", "typed"}, wantCode: ExitError, wantErr: "already exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			var before []string
			if tt.existing {
				addKey(t, home, "alice", "first")
				before = []string{"alice"}
			}
			t.Setenv("CHIPMINT_PASSPHRASE", tt.env)
			var in io.Reader = noTerminal
			fake := &fakeTerminal{answers: tt.answers}
			if tt.answers != nil {
				in = fake
			}
			_, errOut, code := runIn(t, in, "--home", home, "keys", "add", "alice")
			if code != tt.wantCode || !strings.Contains(errOut, tt.wantErr) {
				t.Fatalf("exit %d, stderr %q; want exit %d naming %q", code, errOut, tt.wantCode, tt.wantErr)
			}
			if len(fake.prompts) != tt.wantPrompts {
				t.Fatalf("prompts %q, want %d of them", fake.prompts, tt.wantPrompts)
			}
			want := before
			if code == ExitOK {
				want = []string{"alice"}
				unlock(t, home, "alice", tt.wantUnlock)
			}
			if got := keyNames(t, home); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("keys after add: %q, want %q", got, want)
			}
		})
	}
}

// errorMessage is the error a command reported: on stderr in text, or as
// {"error": ...} on stdout with -o json.
func errorMessage(t *testing.T, out, errOut string) string {
	t.Helper()
	if out == "" {
		return errOut
	}
	var v struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("stdout is not a JSON error: %v: %s", err, out)
	}
	return v.Error
}

func TestKeysUnknownKeyIsUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{name: "show", args: []string{"keys", "show", "bob"}},
		{name: "show json", args: []string{"keys", "show", "bob", "-o", "json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			addKey(t, home, "alice", "pass")
			out, errOut, code := runIn(t, noTerminal, append([]string{"--home", home}, tt.args...)...)
			want := fmt.Sprintf("no key %q in %s; `chipmint keys list` shows the keys", "bob", node.KeysDir(home))
			if code != ExitUsage || !strings.Contains(errorMessage(t, out, errOut), want) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d naming %q", code, out, errOut, ExitUsage, want)
			}
		})
	}
}

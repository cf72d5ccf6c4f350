package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
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

func (f *fakeTerminal) ReadLine(prompt string) (string, error) { return f.next(prompt) }

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
			wantExit(t, "", errOut, code, tt.wantCode, tt.wantErr)
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

// wantExit fails the test unless a command ended with wantCode and, if
// that is a failure, reported an error containing msg.
func wantExit(t *testing.T, out, errOut string, code, wantCode ExitCode, msg string) {
	t.Helper()
	if code == wantCode && (code == ExitOK || strings.Contains(errorMessage(t, out, errOut), msg)) {
		return
	}
	t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d naming %q", code, out, errOut, wantCode, msg)
}

func TestKeysUnknownKeyIsUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{name: "show", args: []string{"keys", "show", "bob"}},
		{name: "show json", args: []string{"keys", "show", "bob", "-o", "json"}},
		{name: "export", args: []string{"keys", "export", "bob", "--out", "HOME/bob.key"}},
		{name: "delete", args: []string{"keys", "delete", "bob"}},
		{name: "delete --yes", args: []string{"keys", "delete", "bob", "--yes"}},
		{name: "delete json", args: []string{"keys", "delete", "bob", "--yes", "-o", "json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			addKey(t, home, "alice", "pass")
			args := []string{"--home", home}
			for _, a := range tt.args {
				args = append(args, strings.ReplaceAll(a, "HOME", home))
			}
			out, errOut, code := runIn(t, noTerminal, args...)
			want := fmt.Sprintf("no key %q in %s; `chipmint keys list` shows the keys", "bob", node.KeysDir(home))
			wantExit(t, out, errOut, code, ExitUsage, want)
		})
	}
}

func TestKeysExport(t *testing.T) {
	tests := []struct {
		name     string
		args     []string // after "keys export alice"; "FILE" stands for the export path
		existing bool     // FILE holds something already
		wantCode ExitCode
		wantErr  string
	}{
		{name: "exports", args: []string{"--out", "FILE"}},
		{name: "exports as json", args: []string{"--out", "FILE", "-o", "json"}},
		{name: "refuses to replace a file", args: []string{"--out", "FILE"}, existing: true, wantCode: ExitError, wantErr: "already exists"},
		{name: "no --out", wantCode: ExitUsage, wantErr: "--out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			added := addKey(t, home, "alice", "pass")
			t.Setenv("CHIPMINT_PASSPHRASE", "")
			file := filepath.Join(t.TempDir(), "alice.key")
			if tt.existing {
				if err := os.WriteFile(file, []byte("old"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			args := []string{"--home", home, "keys", "export", "alice"}
			for _, a := range tt.args {
				args = append(args, strings.ReplaceAll(a, "FILE", file))
			}
			out, errOut, code := runIn(t, noTerminal, args...)
			wantExit(t, out, errOut, code, tt.wantCode, tt.wantErr)
			got, _ := os.ReadFile(file)
			if tt.existing {
				if string(got) != "old" {
					t.Fatalf("existing file now holds %q", got)
				}
				return
			}
			if code != ExitOK {
				return
			}
			stored, err := os.ReadFile(filepath.Join(node.KeysDir(home), "alice.json"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, stored) {
				t.Fatalf("exported file differs from the key file:\n%s\nwant\n%s", got, stored)
			}
			info, err := os.Stat(file)
			if err != nil {
				t.Fatal(err)
			}
			if info.Mode() != 0o600 {
				t.Fatalf("exported file mode %v, want -rw-------", info.Mode())
			}
			if !slices.Contains(tt.args, "json") {
				if !strings.Contains(out, added.Address) || !strings.Contains(out, file) {
					t.Fatalf("output %q names neither the address nor the file", out)
				}
				return
			}
			var v struct {
				keyView
				File string `json:"file"`
			}
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if v.keyView != added || v.File != file {
				t.Fatalf("json %+v, want %+v in %s", v, added, file)
			}
		})
	}
}

// copyFile copies the file src to dst, making dst's directory if need be.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// exportKey creates alice under passphrase in a home of her own, exports
// her and returns the path of the file.
func exportKey(t *testing.T, passphrase string) (keyView, string) {
	t.Helper()
	home := t.TempDir()
	k := addKey(t, home, "alice", passphrase)
	file := filepath.Join(t.TempDir(), "alice.key")
	_, errOut, code := runIn(t, noTerminal, "--home", home, "keys", "export", "alice", "--out", file)
	if code != ExitOK {
		t.Fatalf("keys export: exit %d: %s", code, errOut)
	}
	return k, file
}

// editKeyFile rewrites the JSON key file at path through edit.
func editKeyFile(t *testing.T, path string, edit func(m map[string]any)) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	if data, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// flipCiphertext flips one bit of the sealed seed.
func flipCiphertext(m map[string]any) {
	c := m["cipher"].(map[string]any)
	b, err := base64.StdEncoding.DecodeString(c["ciphertext"].(string))
	if err != nil {
		panic(err)
	}
	b[0] ^= 1
	c["ciphertext"] = base64.StdEncoding.EncodeToString(b)
}

func TestKeysImport(t *testing.T) {
	tests := []struct {
		name        string
		as          string
		env         string
		answers     []string // nil: no terminal
		edit        func(map[string]any)
		noIn        bool // leave out --in
		json        bool
		wantCode    ExitCode
		wantErr     string
		wantPrompts int
	}{
		{name: "passphrase from environment", as: "bob", env: "pass"},
		{name: "same name", as: "alice", env: "pass"},
		{name: "json", as: "bob", env: "pass", json: true},
		{name: "passphrase typed", as: "bob", answers: []string{"pass"}, wantPrompts: 1},
		{name: "wrong passphrase typed", as: "bob", answers: []string{"wrong"}, wantCode: ExitError, wantErr: "wrong passphrase or tampered key file", wantPrompts: 1},
		{name: "empty passphrase typed", as: "bob", answers: []string{""}, wantCode: ExitError, wantErr: "empty passphrase", wantPrompts: 1},
		{name: "no passphrase, no terminal", as: "bob", wantCode: ExitError, wantErr: "CHIPMINT_PASSPHRASE"},
		{name: "tampered ciphertext", as: "bob", env: "pass", edit: flipCiphertext, wantCode: ExitError, wantErr: "wrong passphrase or tampered key file"},
		{name: "address not the public key's, asks nothing", as: "bob", answers: []string{"pass"}, edit: func(m map[string]any) {
			m["address"] = "chip1x36slx9at870e9rd53d2405n80s4ff94avyse6"
		}, wantCode: ExitError, wantErr: "corrupt key file"},
		{name: "unknown cipher, asks nothing", as: "bob", answers: []string{"pass"}, edit: func(m map[string]any) {
			m["cipher"].(map[string]any)["name"] = "aes-256-gcm"
		}, wantCode: ExitError, wantErr: "unsupported key file"},
		{name: "name taken, asks nothing", as: "carol", answers: []string{"pass"}, wantCode: ExitError, wantErr: "already exists"},
		{name: "no --in", as: "bob", env: "pass", noIn: true, wantCode: ExitUsage, wantErr: "--in"},
	}
	exported, exportedFile := exportKey(t, "pass")
	base := t.TempDir()
	carol := addKey(t, base, "carol", "carol's")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "alice.key")
			copyFile(t, exportedFile, file)
			if tt.edit != nil {
				editKeyFile(t, file, tt.edit)
			}
			home := t.TempDir()
			copyFile(t, filepath.Join(node.KeysDir(base), "carol.json"), filepath.Join(node.KeysDir(home), "carol.json"))
			t.Setenv("CHIPMINT_PASSPHRASE", tt.env)
			var in io.Reader = noTerminal
			fake := &fakeTerminal{answers: tt.answers}
			if tt.answers != nil {
				in = fake
			}
			args := []string{"--home", home, "keys", "import", tt.as}
			if !tt.noIn {
				args = append(args, "--in", file)
			}
			if tt.json {
				args = append(args, "-o", "json")
			}
			out, errOut, code := runIn(t, in, args...)
			wantExit(t, out, errOut, code, tt.wantCode, tt.wantErr)
			if len(fake.prompts) != tt.wantPrompts {
				t.Fatalf("prompts %q, want %d of them", fake.prompts, tt.wantPrompts)
			}
			want := []string{"carol"}
			if code == ExitOK {
				want = append(want, tt.as)
				slices.Sort(want)
			}
			if got := keyNames(t, home); !slices.Equal(got, want) {
				t.Fatalf("keys after import: %q, want %q", got, want)
			}
			if code != ExitOK {
				if tt.as == "carol" {
					unlock(t, home, "carol", "carol's")
					if shown := showKey(t, home, "carol"); shown != carol {
						t.Fatalf("carol is now %+v, was %+v", shown, carol)
					}
				}
				return
			}
			unlock(t, home, tt.as, "pass")
			wantView := keyView{Name: tt.as, Address: exported.Address, PublicKey: exported.PublicKey}
			if shown := showKey(t, home, tt.as); shown != wantView {
				t.Fatalf("imported key %+v, want %+v", shown, wantView)
			}
			if !tt.json {
				return
			}
			var v struct {
				keyView
				File string `json:"file"`
			}
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if v.keyView != wantView || v.File != file {
				t.Fatalf("json %+v, want %+v from %s", v, wantView, file)
			}
		})
	}
}

// showKey is `keys show name -o json` in home.
func showKey(t *testing.T, home, name string) keyView {
	t.Helper()
	out, errOut, code := runIn(t, noTerminal, "--home", home, "keys", "show", name, "-o", "json")
	if code != ExitOK {
		t.Fatalf("keys show %s: exit %d: %s", name, code, errOut)
	}
	var k keyView
	if err := json.Unmarshal([]byte(out), &k); err != nil {
		t.Fatalf("keys show %s: %v: %s", name, err, out)
	}
	return k
}

func TestKeysDelete(t *testing.T) {
	tests := []struct {
		name        string
		yes         bool
		json        bool
		answers     []string // nil: no terminal
		wantCode    ExitCode
		wantErr     string
		wantPrompts int
	}{
		{name: "--yes, no terminal", yes: true},
		{name: "--yes as json", yes: true, json: true},
		{name: "--yes asks nothing", yes: true, answers: []string{"bob"}},
		{name: "name typed again", answers: []string{"alice"}, wantPrompts: 1},
		{name: "name typed with spaces", answers: []string{" alice "}, wantPrompts: 1},
		{name: "another name typed", answers: []string{"bob"}, wantCode: ExitError, wantErr: "nothing was deleted", wantPrompts: 1},
		{name: "nothing typed", answers: []string{""}, wantCode: ExitError, wantErr: "nothing was deleted", wantPrompts: 1},
		{name: "terminal closed", answers: []string{}, wantCode: ExitError, wantErr: "nothing was deleted", wantPrompts: 1},
		{name: "no terminal, no --yes", wantCode: ExitUsage, wantErr: "pass --yes"},
		{name: "no terminal, no --yes, json", json: true, wantCode: ExitUsage, wantErr: "pass --yes"},
	}
	base := t.TempDir()
	alice := addKey(t, base, "alice", "pass")
	addKey(t, base, "bob", "pass")
	t.Setenv("CHIPMINT_PASSPHRASE", "")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			for _, n := range []string{"alice", "bob"} {
				copyFile(t, filepath.Join(node.KeysDir(base), n+".json"), filepath.Join(node.KeysDir(home), n+".json"))
			}
			var in io.Reader = noTerminal
			fake := &fakeTerminal{answers: tt.answers}
			if tt.answers != nil {
				in = fake
			}
			args := []string{"--home", home, "keys", "delete", "alice"}
			if tt.yes {
				args = append(args, "--yes")
			}
			if tt.json {
				args = append(args, "-o", "json")
			}
			out, errOut, code := runIn(t, in, args...)
			wantExit(t, out, errOut, code, tt.wantCode, tt.wantErr)
			if len(fake.prompts) != tt.wantPrompts {
				t.Fatalf("prompts %q, want %d of them", fake.prompts, tt.wantPrompts)
			}
			if tt.wantPrompts > 0 && !strings.Contains(fake.prompts[0], alice.Address) {
				t.Fatalf("prompt %q does not name the address", fake.prompts[0])
			}
			want := []string{"alice", "bob"}
			if code == ExitOK {
				want = []string{"bob"}
			}
			if got := keyNames(t, home); !slices.Equal(got, want) {
				t.Fatalf("keys after delete: %q, want %q", got, want)
			}
			if code != ExitOK {
				return
			}
			if !tt.json {
				if !strings.Contains(out, alice.Address) {
					t.Fatalf("output %q does not name the deleted address", out)
				}
				return
			}
			var v keyView
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if v != alice {
				t.Fatalf("json %+v, want %+v", v, alice)
			}
		})
	}
}

func TestKeysJSONEverySubcommand(t *testing.T) {
	home := t.TempDir()
	file := filepath.Join(t.TempDir(), "alice.key")
	t.Setenv("CHIPMINT_PASSPHRASE", "pass")
	tests := []struct {
		name string
		args []string
		list bool // the answer is an array of keys
		want []string
	}{
		{name: "list, empty", args: []string{"keys", "list"}, list: true, want: []string{}},
		{name: "add", args: []string{"keys", "add", "alice"}, want: []string{"alice"}},
		{name: "show", args: []string{"keys", "show", "alice"}, want: []string{"alice"}},
		{name: "export", args: []string{"keys", "export", "alice", "--out", file}, want: []string{"alice"}},
		{name: "import", args: []string{"keys", "import", "bob", "--in", file}, want: []string{"bob"}},
		{name: "list", args: []string{"keys", "list"}, list: true, want: []string{"alice", "bob"}},
		{name: "delete", args: []string{"keys", "delete", "alice", "--yes"}, want: []string{"alice"}},
	}
	var address string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runIn(t, noTerminal, append([]string{"--home", home, "-o", "json"}, tt.args...)...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s %s", code, out, errOut)
			}
			var keys []keyView
			if tt.list {
				if err := json.Unmarshal([]byte(out), &keys); err != nil {
					t.Fatalf("%v: %s", err, out)
				}
			} else {
				var k keyView
				if err := json.Unmarshal([]byte(out), &k); err != nil {
					t.Fatalf("%v: %s", err, out)
				}
				keys = []keyView{k}
			}
			names := []string{}
			for _, k := range keys {
				names = append(names, k.Name)
				if address == "" {
					address = k.Address
				}
				if k.Address != address || k.PublicKey == "" {
					t.Fatalf("key %+v, want the one key at %s", k, address)
				}
			}
			if !slices.Equal(names, tt.want) {
				t.Fatalf("keys %q, want %q", names, tt.want)
			}
		})
	}
}

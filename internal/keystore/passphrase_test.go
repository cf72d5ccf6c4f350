package keystore

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// fakeTerminal answers prompts from a script, in order, and records them.
// It runs out with io.EOF, as a terminal closed by Ctrl-D would.
type fakeTerminal struct {
	answers []string
	prompts []string
}

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

func TestReadPassphrase(t *testing.T) {
	type readFunc func(Terminal, string) (string, error)
	tests := []struct {
		name        string
		read        readFunc
		env         string
		noTerminal  bool
		answers     []string
		want        string
		wantErr     error
		wantPrompts int
	}{
		{name: "read: from environment", read: ReadPassphrase, env: "hunter2", answers: []string{"typed"}, want: "hunter2"},
		{name: "read: environment keeps surrounding spaces", read: ReadPassphrase, env: " pass phrase ", want: " pass phrase "},
		{name: "read: no environment, no terminal", read: ReadPassphrase, noTerminal: true, wantErr: ErrNoPassphrase},
		{name: "read: typed", read: ReadPassphrase, answers: []string{"typed"}, want: "typed", wantPrompts: 1},
		{name: "read: typed empty", read: ReadPassphrase, answers: []string{""}, wantErr: ErrEmptyPassphrase, wantPrompts: 1},
		{name: "read: terminal closed", read: ReadPassphrase, wantErr: io.EOF, wantPrompts: 1},
		{name: "new: from environment, asked nothing", read: NewPassphrase, env: "hunter2", answers: []string{"typed", "typed"}, want: "hunter2"},
		{name: "new: no environment, no terminal", read: NewPassphrase, noTerminal: true, wantErr: ErrNoPassphrase},
		{name: "new: typed twice the same", read: NewPassphrase, answers: []string{"typed", "typed"}, want: "typed", wantPrompts: 2},
		{name: "new: typed twice differently", read: NewPassphrase, answers: []string{"typed", "tyepd"}, wantErr: ErrPassphraseMismatch, wantPrompts: 2},
		{name: "new: repeat has a trailing space", read: NewPassphrase, answers: []string{"typed", "typed "}, wantErr: ErrPassphraseMismatch, wantPrompts: 2},
		{name: "new: repeat empty", read: NewPassphrase, answers: []string{"typed", ""}, wantErr: ErrPassphraseMismatch, wantPrompts: 2},
		{name: "new: typed empty, not asked again", read: NewPassphrase, answers: []string{"", ""}, wantErr: ErrEmptyPassphrase, wantPrompts: 1},
		{name: "new: terminal closed before the repeat", read: NewPassphrase, answers: []string{"typed"}, wantErr: io.EOF, wantPrompts: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(passphraseEnv, tt.env)
			fake := &fakeTerminal{answers: tt.answers}
			var term Terminal = fake
			if tt.noTerminal {
				term = nil
			}
			got, err := tt.read(term, "passphrase: ")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Fatalf("passphrase = %q, want %q", got, tt.want)
			}
			if len(fake.prompts) != tt.wantPrompts {
				t.Fatalf("prompts %q, want %d of them", fake.prompts, tt.wantPrompts)
			}
		})
	}
}

func TestFileTerminalNeedsATerminal(t *testing.T) {
	tests := []struct {
		name string
		in   func(t *testing.T) *os.File
	}{
		{name: "regular file", in: func(t *testing.T) *os.File {
			f, err := os.Create(filepath.Join(t.TempDir(), "stdin"))
			if err != nil {
				t.Fatal(err)
			}
			return f
		}},
		{name: "pipe", in: func(t *testing.T) *os.File {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { w.Close() })
			return r
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(passphraseEnv, "")
			in := tt.in(t)
			t.Cleanup(func() { in.Close() })
			var prompt bytes.Buffer
			term := FileTerminal(in, &prompt)
			if term != nil {
				t.Fatalf("FileTerminal on a %s = %v, want nil", tt.name, term)
			}
			if _, err := ReadPassphrase(term, "passphrase: "); !errors.Is(err, ErrNoPassphrase) {
				t.Fatalf("ReadPassphrase error = %v, want %v", err, ErrNoPassphrase)
			}
			if prompt.Len() != 0 {
				t.Fatalf("prompt %q written without a terminal", prompt.String())
			}
		})
	}
}

func TestPassphraseUsesEnvironment(t *testing.T) {
	t.Setenv(passphraseEnv, "from env")
	got, err := Passphrase("Passphrase: ")
	if err != nil {
		t.Fatalf("Passphrase: %v", err)
	}
	if got != "from env" {
		t.Fatalf("Passphrase = %q, want %q", got, "from env")
	}
}

func TestFileTerminalReadLine(t *testing.T) {
	tests := []struct {
		name  string
		typed string
		want  string
		rest  string // what a later read must still find
	}{
		{name: "one line", typed: "alice\n", want: "alice"},
		{name: "carriage return", typed: "alice\r\n", want: "alice"},
		{name: "end of input without a newline", typed: "alice", want: "alice"},
		{name: "empty line", typed: "\n", want: ""},
		{name: "nothing typed", typed: "", want: ""},
		{name: "leaves the next line unread", typed: "alice\nbob\n", want: "alice", rest: "bob\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if _, err := io.WriteString(w, tt.typed); err != nil {
				t.Fatal(err)
			}
			w.Close()
			var prompt bytes.Buffer
			got, err := fileTerminal{in: r, out: &prompt}.ReadLine("name: ")
			if err != nil {
				t.Fatalf("ReadLine: %v", err)
			}
			if got != tt.want {
				t.Fatalf("ReadLine = %q, want %q", got, tt.want)
			}
			if prompt.String() != "name: " {
				t.Fatalf("prompt %q, want %q", prompt.String(), "name: ")
			}
			rest, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if string(rest) != tt.rest {
				t.Fatalf("left %q unread, want %q", rest, tt.rest)
			}
		})
	}
}

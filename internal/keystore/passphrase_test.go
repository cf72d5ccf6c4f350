package keystore

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestPassphrase(t *testing.T) {
	tests := []struct {
		name    string
		env     string
		want    string
		wantErr error
	}{
		{name: "from environment", env: "hunter2", want: "hunter2"},
		{name: "keeps surrounding spaces", env: " pass phrase ", want: " pass phrase "},
		// Tests never run with a terminal on stdin here: the input is a
		// regular file, so only the environment can supply a passphrase.
		{name: "empty environment, no terminal", env: "", wantErr: ErrNoPassphrase},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(passphraseEnv, tt.env)
			var prompt bytes.Buffer
			got, err := readPassphrase("Passphrase: ", notTerminal(t), &prompt)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("readPassphrase error = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Fatalf("readPassphrase = %q, want %q", got, tt.want)
			}
			if prompt.Len() != 0 {
				t.Fatalf("prompt %q written without a terminal", prompt.String())
			}
		})
	}
}

func notTerminal(t *testing.T) *os.File {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "stdin"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
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

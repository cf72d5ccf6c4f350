package keystore

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

// passphraseEnv lets scripts and services supply the passphrase without a
// terminal.
const passphraseEnv = "CHIPMINT_PASSPHRASE"

// Passphrase returns the passphrase from CHIPMINT_PASSPHRASE when set, else
// asks for it on the terminal without echo, writing prompt to stderr so it
// never mixes with command output on stdout. Without either it fails with
// ErrNoPassphrase rather than reading a secret from a pipe by accident.
func Passphrase(prompt string) (string, error) {
	return readPassphrase(prompt, os.Stdin, os.Stderr)
}

func readPassphrase(prompt string, in *os.File, out io.Writer) (string, error) {
	if p := os.Getenv(passphraseEnv); p != "" {
		return p, nil
	}
	fd := int(in.Fd())
	if !term.IsTerminal(fd) {
		return "", ErrNoPassphrase
	}
	fmt.Fprint(out, prompt)
	b, err := term.ReadPassword(fd)
	// The user's Enter was not echoed either; end the prompt line.
	fmt.Fprintln(out)
	if err != nil {
		return "", fmt.Errorf("keystore: read passphrase: %w", err)
	}
	if len(b) == 0 {
		return "", ErrEmptyPassphrase
	}
	return string(b), nil
}

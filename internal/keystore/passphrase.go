package keystore

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// passphraseEnv lets scripts and services supply the passphrase without a
// terminal.
const passphraseEnv = "CHIPMINT_PASSPHRASE"

// Terminal is a person at a keyboard: it shows a prompt and reads the line
// typed in answer. FileTerminal gives the real one; tests use a fake.
type Terminal interface {
	// ReadLine shows prompt and returns the line typed, echoed as usual,
	// without its line ending.
	ReadLine(prompt string) (string, error)
	// ReadSecret shows prompt and returns the line typed, without echoing
	// it and without its line ending.
	ReadSecret(prompt string) ([]byte, error)
}

// FileTerminal returns the terminal on in, showing prompts on out, or nil
// when in is not a terminal: a secret is never read from a pipe or a file
// by accident.
func FileTerminal(in *os.File, out io.Writer) Terminal {
	if !term.IsTerminal(int(in.Fd())) {
		return nil
	}
	return fileTerminal{in: in, out: out}
}

type fileTerminal struct {
	in  *os.File
	out io.Writer
}

// ReadLine reads one byte at a time so that nothing typed after the line is
// consumed and lost.
func (t fileTerminal) ReadLine(prompt string) (string, error) {
	fmt.Fprint(t.out, prompt)
	var line []byte
	b := make([]byte, 1)
	for {
		n, err := t.in.Read(b)
		if n == 1 && b[0] == '\n' {
			break
		}
		line = append(line, b[:n]...)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("keystore: read answer: %w", err)
		}
	}
	return strings.TrimSuffix(string(line), "\r"), nil
}

func (t fileTerminal) ReadSecret(prompt string) ([]byte, error) {
	fmt.Fprint(t.out, prompt)
	b, err := term.ReadPassword(int(t.in.Fd()))
	// The user's Enter was not echoed either; end the prompt line.
	fmt.Fprintln(t.out)
	if err != nil {
		return nil, fmt.Errorf("keystore: read passphrase: %w", err)
	}
	return b, nil
}

// Passphrase is ReadPassphrase on the process's terminal: stdin, with the
// prompt on stderr so it never mixes with command output on stdout.
func Passphrase(prompt string) (string, error) {
	return ReadPassphrase(FileTerminal(os.Stdin, os.Stderr), prompt)
}

// ReadPassphrase returns the passphrase from CHIPMINT_PASSPHRASE when set,
// else asks t for it without echo. With no terminal (t nil) it fails with
// ErrNoPassphrase, and on an empty answer with ErrEmptyPassphrase.
func ReadPassphrase(t Terminal, prompt string) (string, error) {
	if p := os.Getenv(passphraseEnv); p != "" {
		return p, nil
	}
	if t == nil {
		return "", ErrNoPassphrase
	}
	b, err := t.ReadSecret(prompt)
	if err != nil {
		return "", err
	}
	if len(b) == 0 {
		return "", ErrEmptyPassphrase
	}
	return string(b), nil
}

// NewPassphrase is ReadPassphrase for a key about to be sealed: at a
// terminal it asks a second time and fails with ErrPassphraseMismatch when
// the answers differ, since a typo there would lock the key away for good.
// CHIPMINT_PASSPHRASE, when set, is taken as it is.
func NewPassphrase(t Terminal, prompt string) (string, error) {
	if p := os.Getenv(passphraseEnv); p != "" {
		return p, nil
	}
	p, err := ReadPassphrase(t, prompt)
	if err != nil {
		return "", err
	}
	again, err := t.ReadSecret("repeat the passphrase: ")
	if err != nil {
		return "", err
	}
	if string(again) != p {
		return "", ErrPassphraseMismatch
	}
	return p, nil
}

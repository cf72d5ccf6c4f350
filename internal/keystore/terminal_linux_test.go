package keystore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"testing"
	"unsafe"
)

// openPTY opens a pseudo-terminal and returns its two ends: what is written
// to control arrives as typed on tty. It skips the test where the system
// has no pseudo-terminals to give.
func openPTY(t *testing.T) (control, tty *os.File) {
	t.Helper()
	control, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { control.Close() })
	var unlock int32
	if err := ioctl(control, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		t.Skipf("no pseudo-terminal: unlock: %v", err)
	}
	var n uint32
	if err := ioctl(control, syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		t.Skipf("no pseudo-terminal: number: %v", err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	return control, tty
}

func ioctl(f *os.File, req uint, arg unsafe.Pointer) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), uintptr(req), uintptr(arg)); errno != 0 {
		return errno
	}
	return nil
}

func TestFileTerminalOnATerminal(t *testing.T) {
	tests := []struct {
		name    string
		typed   string
		read    func(Terminal) (string, error)
		want    string
		wantErr error
	}{
		{name: "passphrase", typed: "s3cret\n", read: func(tm Terminal) (string, error) {
			return ReadPassphrase(tm, "passphrase: ")
		}, want: "s3cret"},
		{name: "new passphrase typed twice", typed: "s3cret\ns3cret\n", read: func(tm Terminal) (string, error) {
			return NewPassphrase(tm, "passphrase: ")
		}, want: "s3cret"},
		{name: "new passphrase typed differently", typed: "s3cret\nsecret\n", read: func(tm Terminal) (string, error) {
			return NewPassphrase(tm, "passphrase: ")
		}, wantErr: ErrPassphraseMismatch},
		{name: "empty passphrase", typed: "\n", read: func(tm Terminal) (string, error) {
			return ReadPassphrase(tm, "passphrase: ")
		}, wantErr: ErrEmptyPassphrase},
		{name: "line", typed: "alice\n", read: func(tm Terminal) (string, error) {
			return tm.ReadLine("name: ")
		}, want: "alice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(passphraseEnv, "")
			control, tty := openPTY(t)
			var prompts bytes.Buffer
			term := FileTerminal(tty, &prompts)
			if term == nil {
				t.Fatal("FileTerminal on a terminal = nil")
			}
			if _, err := io.WriteString(control, tt.typed); err != nil {
				t.Fatal(err)
			}
			got, err := tt.read(term)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Fatalf("read %q, want %q", got, tt.want)
			}
			if prompts.Len() == 0 {
				t.Fatal("no prompt shown")
			}
		})
	}
}

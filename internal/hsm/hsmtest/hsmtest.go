// Package hsmtest makes SoftHSM2 tokens for tests: a fresh token in the test's
// temporary folder, and the URIs of keys on it. It is for tests only.
package hsmtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/chipmint/chipmint/internal/hsm"
)

// The test token: its label, its user PIN and the environment variable Token puts the
// PIN in.
const (
	TokenLabel = "chipmint"
	PIN        = "5678"
	PINEnv     = "CHIPMINT_TEST_PKCS11_PIN"
)

// modules are where distributions install SoftHSM2's module.
var modules = []string{
	"/usr/lib/softhsm/libsofthsm2.so",
	"/usr/local/lib/softhsm/libsofthsm2.so",
	"/usr/lib64/pkcs11/libsofthsm2.so",
}

// Module is SoftHSM2's module, or the test skips saying how to install it.
func Module(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("softhsm2-util"); err != nil {
		t.Skip("SoftHSM2 is not installed (apt-get install softhsm2)")
	}
	for _, m := range modules {
		if _, err := os.Stat(m); err == nil {
			return m
		}
	}
	t.Skipf("SoftHSM2's module is in none of %v (apt-get install softhsm2)", modules)
	return ""
}

// Token makes a fresh token labelled TokenLabel, with user PIN PIN, in a folder of the
// test's own, points SoftHSM2 at it (SOFTHSM2_CONF) and puts PIN in PINEnv. It returns
// SoftHSM2's module. Keys opened on the token must be closed by the end of the test,
// so that the next test's token is read afresh.
func Token(t *testing.T) string {
	t.Helper()
	module := Module(t)
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	body := "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n"
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOFTHSM2_CONF", conf)
	t.Setenv(PINEnv, PIN)
	Util(t, "--init-token", "--free", "--label", TokenLabel, "--so-pin", "1234", "--pin", PIN)
	return module
}

// Util runs softhsm2-util on the test's token.
func Util(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("softhsm2-util", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("softhsm2-util %v: %v: %s", args, err, out)
	}
}

// URI names the key labelled label on the test token of module, its PIN in PINEnv.
func URI(module, label string) hsm.URI {
	return hsm.URI{Module: module, Token: TokenLabel, Label: label, PINEnv: PINEnv}
}

// Generate makes an Ed25519 key labelled label on the test token and opens it until
// the end of the test.
func Generate(t *testing.T, module, label string) hsm.Key {
	t.Helper()
	k, err := hsm.Generate(URI(module, label), PIN)
	if err != nil {
		t.Fatalf("generate %q: %v", label, err)
	}
	t.Cleanup(func() {
		if err := k.Close(); err != nil {
			t.Error(err)
		}
	})
	return k
}

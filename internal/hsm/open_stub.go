//go:build !pkcs11 || !cgo

package hsm

// Built reports whether this chipmint talks to PKCS#11 modules.
const Built = false

// Open fails with ErrNotBuilt: this chipmint was built without the pkcs11 tag.
func Open(URI, string) (Key, error) { return nil, ErrNotBuilt }

// Generate fails with ErrNotBuilt: this chipmint was built without the pkcs11 tag.
func Generate(URI, string) (Key, error) { return nil, ErrNotBuilt }

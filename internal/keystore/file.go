package keystore

import (
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"

	"github.com/chipmint/chipmint/internal/crypto"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/scrypt"
)

const (
	fileVersion = 1
	kdfName     = "scrypt"
	cipherName  = "xchacha20-poly1305"
	// scryptR and scryptP are the standard interactive-login parameters;
	// they are stored anyway so the format can change them later.
	scryptR   = 8
	scryptP   = 1
	saltBytes = 32
	// sealedBytes is the ciphertext length of a sealed Ed25519 seed.
	sealedBytes = ed25519.SeedSize + chacha20poly1305.Overhead
)

// keyFile is the on-disk JSON form of a key. []byte fields encode as
// standard base64.
type keyFile struct {
	Version   int            `json:"version"`
	Name      string         `json:"name"`
	Address   crypto.Address `json:"address"`
	PublicKey []byte         `json:"public_key"`
	KDF       kdfParams      `json:"kdf"`
	Cipher    cipherParams   `json:"cipher"`
}

type kdfParams struct {
	Name string `json:"name"`
	N    int    `json:"n"`
	R    int    `json:"r"`
	P    int    `json:"p"`
	Salt []byte `json:"salt"`
}

type cipherParams struct {
	Name       string `json:"name"`
	Nonce      []byte `json:"nonce"`
	Ciphertext []byte `json:"ciphertext"`
}

// seal builds the key file for seed, encrypted under passphrase with a
// fresh salt and nonce.
func seal(name, passphrase string, seed []byte, n int) (keyFile, error) {
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	f := keyFile{
		Version:   fileVersion,
		Name:      name,
		Address:   crypto.AddressOf(pub),
		PublicKey: pub,
		KDF:       kdfParams{Name: kdfName, N: n, R: scryptR, P: scryptP, Salt: randomBytes(saltBytes)},
		Cipher:    cipherParams{Name: cipherName, Nonce: randomBytes(chacha20poly1305.NonceSizeX)},
	}
	aead, err := f.KDF.aead(passphrase)
	if err != nil {
		return keyFile{}, err
	}
	f.Cipher.Ciphertext = aead.Seal(nil, f.Cipher.Nonce, seed, f.additionalData())
	return f, nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	// crypto/rand.Read never returns an error; it crashes the program if
	// the system source fails.
	rand.Read(b)
	return b
}

// open decrypts the seed and rebuilds the private key.
func (f keyFile) open(passphrase string) (ed25519.PrivateKey, error) {
	if err := f.checkCrypto(); err != nil {
		return nil, err
	}
	aead, err := f.KDF.aead(passphrase)
	if err != nil {
		return nil, err
	}
	seed, err := aead.Open(nil, f.Cipher.Nonce, f.Cipher.Ciphertext, f.additionalData())
	if err != nil {
		return nil, fmt.Errorf("%w: key %q", ErrWrongPassphrase, f.Name)
	}
	defer clear(seed)
	priv := ed25519.NewKeyFromSeed(seed)
	if !priv.Public().(ed25519.PublicKey).Equal(ed25519.PublicKey(f.PublicKey)) {
		return nil, f.errorf(ErrCorrupt, "public_key does not match the encrypted seed")
	}
	return priv, nil
}

// additionalData binds the name and address to the ciphertext, so a file
// renamed to another key, or pointed at another address, fails to open. The
// NUL separator keeps the encoding unambiguous.
func (f keyFile) additionalData() []byte {
	return []byte(f.Name + "\x00" + f.Address.String())
}

// aead derives the file encryption key from passphrase.
func (k kdfParams) aead(passphrase string) (cipher.AEAD, error) {
	key, err := scrypt.Key([]byte(passphrase), k.Salt, k.N, k.R, k.P, chacha20poly1305.KeySize)
	if err != nil {
		return nil, fmt.Errorf("keystore: derive key: %w", err)
	}
	// NewX copies the key; wiping ours shortens its life in memory.
	defer clear(key)
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("keystore: init cipher: %w", err)
	}
	return aead, nil
}

// encode is the JSON the store writes for f.
func (f keyFile) encode() ([]byte, error) {
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("keystore: encode key %q: %w", f.Name, err)
	}
	return data, nil
}

func (f keyFile) key() Key {
	return Key{Name: f.Name, Address: f.Address, PublicKey: ed25519.PublicKey(f.PublicKey)}
}

func (f keyFile) errorf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: key %q: %s", sentinel, f.Name, fmt.Sprintf(format, args...))
}

// checkHeader validates the public part of a file stored under name.
func (f keyFile) checkHeader(name string) error {
	switch {
	case f.Version != fileVersion:
		return f.errorf(ErrUnsupported, "version %d, want %d", f.Version, fileVersion)
	case f.Name != name:
		return f.errorf(ErrCorrupt, "found in file %s%s", name, fileExt)
	case len(f.PublicKey) != ed25519.PublicKeySize:
		return f.errorf(ErrCorrupt, "public_key has %d bytes, want %d", len(f.PublicKey), ed25519.PublicKeySize)
	case crypto.AddressOf(f.PublicKey) != f.Address:
		return f.errorf(ErrCorrupt, "address %s does not match public_key", f.Address)
	}
	return nil
}

// checkCrypto validates the encryption parameters before any work is done
// with them, so a hostile file cannot demand huge scrypt costs.
func (f keyFile) checkCrypto() error {
	k, c := f.KDF, f.Cipher
	switch {
	case k.Name != kdfName:
		return f.errorf(ErrUnsupported, "kdf.name %q, want %q", k.Name, kdfName)
	case !validScryptN(k.N):
		return f.errorf(ErrCorrupt, "kdf.n %d is not a power of two in [2, %d]", k.N, maxScryptN)
	case k.R != scryptR || k.P != scryptP:
		return f.errorf(ErrCorrupt, "kdf.r %d, kdf.p %d, want %d, %d", k.R, k.P, scryptR, scryptP)
	case len(k.Salt) != saltBytes:
		return f.errorf(ErrCorrupt, "kdf.salt has %d bytes, want %d", len(k.Salt), saltBytes)
	case c.Name != cipherName:
		return f.errorf(ErrUnsupported, "cipher.name %q, want %q", c.Name, cipherName)
	case len(c.Nonce) != chacha20poly1305.NonceSizeX:
		return f.errorf(ErrCorrupt, "cipher.nonce has %d bytes, want %d", len(c.Nonce), chacha20poly1305.NonceSizeX)
	case len(c.Ciphertext) != sealedBytes:
		return f.errorf(ErrCorrupt, "cipher.ciphertext has %d bytes, want %d", len(c.Ciphertext), sealedBytes)
	}
	return nil
}

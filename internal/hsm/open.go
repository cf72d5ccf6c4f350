//go:build pkcs11 && cgo

package hsm

import (
	"bytes"
	stdcrypto "crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/miekg/pkcs11"

	"github.com/chipmint/chipmint/internal/crypto"
)

// Built reports whether this chipmint talks to PKCS#11 modules.
const Built = true

// PKCS#11 3.0's Ed25519 numbers, which miekg/pkcs11 does not name.
const (
	ckkECEdwards           = 0x40
	ckmECEdwardsKeyPairGen = 0x1055
	ckmEdDSA               = 0x1057
)

// ed25519Params is CKA_EC_PARAMS of an Ed25519 key: the DER OID 1.3.101.112. PKCS#11
// 3.0 also allows the curve's name as a DER PrintableString.
var (
	ed25519Params     = []byte{0x06, 0x03, 0x2b, 0x65, 0x70}
	ed25519ParamsName = append([]byte{0x13, 0x0c}, "edwards25519"...)
)

// checkMessage is what Open signs to check the key pair before it is used.
var checkMessage = []byte("chipmint: PKCS#11 key check")

// modules are the modules loaded in this process, by path: a module is initialised
// once per process, and finalised when its last key closes.
var (
	modulesMu sync.Mutex
	modules   = map[string]*module{}
)

type module struct {
	path string
	ctx  *pkcs11.Ctx
	keys int
	// logins are the SHA-256 of the PIN that logged in to each slot. A token's login
	// is shared by every session of the process: a second key of a token already
	// logged in is not asked for its PIN by the token, so its PIN is checked here.
	logins map[uint][32]byte
}

// loadModule loads and initialises the module at path, or counts one more key of it.
// Callers hold modulesMu.
func loadModule(path string) (*module, error) {
	if m, ok := modules[path]; ok {
		m.keys++
		return m, nil
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%w at %s: %v", ErrNoModule, path, errors.Unwrap(err))
	}
	ctx := pkcs11.New(path)
	if ctx == nil {
		return nil, fmt.Errorf("%w at %s: the library does not load as a PKCS#11 module", ErrNoModule, path)
	}
	if err := ctx.Initialize(); err != nil && !isCode(err, pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		ctx.Destroy()
		return nil, fmt.Errorf("hsm: initialise the module %s: %w", path, err)
	}
	m := &module{path: path, ctx: ctx, keys: 1, logins: map[uint][32]byte{}}
	modules[path] = m
	return m, nil
}

// release counts one key fewer of m, and unloads m after its last.
func (m *module) release() {
	modulesMu.Lock()
	defer modulesMu.Unlock()
	m.releaseLocked()
}

// releaseLocked is release for a caller that holds modulesMu.
func (m *module) releaseLocked() {
	m.keys--
	if m.keys > 0 {
		return
	}
	delete(modules, m.path)
	_ = m.ctx.Finalize()
	m.ctx.Destroy()
}

// slot is the slot whose token is labelled label.
func (m *module) slot(label string) (uint, error) {
	slots, err := m.ctx.GetSlotList(true)
	if err != nil {
		return 0, fmt.Errorf("hsm: list the slots of %s: %w", m.path, err)
	}
	var found []uint
	var labels []string
	for _, s := range slots {
		info, err := m.ctx.GetTokenInfo(s)
		if err != nil {
			return 0, fmt.Errorf("hsm: read the token in slot %d of %s: %w", s, m.path, err)
		}
		l := strings.TrimRight(info.Label, " \x00")
		if l == label {
			found = append(found, s)
		}
		labels = append(labels, fmt.Sprintf("%q", l))
	}
	switch len(found) {
	case 0:
		if len(labels) == 0 {
			return 0, fmt.Errorf("%w labelled %q in %s: it holds no token", ErrNoToken, label, m.path)
		}
		return 0, fmt.Errorf("%w labelled %q in %s: it holds %s", ErrNoToken, label, m.path, strings.Join(labels, ", "))
	case 1:
		return found[0], nil
	}
	return 0, fmt.Errorf("hsm: %d tokens labelled %q in %s: give each its own label", len(found), label, m.path)
}

// login logs the session in to its token as the user, with pin; modulesMu is held.
func (m *module) login(sh pkcs11.SessionHandle, slot uint, token, pin string) error {
	sum := sha256.Sum256([]byte(pin))
	err := m.ctx.Login(sh, pkcs11.CKU_USER, pin)
	switch {
	case err == nil:
		m.logins[slot] = sum
		return nil
	case isCode(err, pkcs11.CKR_USER_ALREADY_LOGGED_IN):
		if prev, ok := m.logins[slot]; ok && prev != sum {
			return fmt.Errorf("%w for token %q", ErrWrongPIN, token)
		}
		return nil
	case isCode(err, pkcs11.CKR_PIN_INCORRECT), isCode(err, pkcs11.CKR_PIN_LEN_RANGE):
		return fmt.Errorf("%w for token %q", ErrWrongPIN, token)
	case isCode(err, pkcs11.CKR_PIN_LOCKED):
		return fmt.Errorf("%w for token %q: the PIN is locked after too many wrong ones; the token's security officer unlocks it", ErrWrongPIN, token)
	}
	return fmt.Errorf("hsm: log in to token %q: %w", token, err)
}

func isCode(err error, code uint) bool {
	var e pkcs11.Error
	return errors.As(err, &e) && uint(e) == code
}

// key is an Ed25519 key pair on a token, signing in one session at a time.
type key struct {
	mu      sync.Mutex
	mod     *module
	session pkcs11.SessionHandle
	priv    pkcs11.ObjectHandle
	pub     ed25519.PublicKey
	token   string
	label   string
	closed  bool
}

// Open opens the key u names, logged in with pin. It refuses a key that is not an
// Ed25519 key, and checks a signature of it against its public key before handing it out.
func Open(u URI, pin string) (Key, error) {
	k, err := session(u, pin, false)
	if err != nil {
		return nil, err
	}
	if err := k.find(); err != nil {
		k.Close()
		return nil, err
	}
	return k, nil
}

// Generate makes an Ed25519 key pair labelled u.Label on u's token, its private half
// never to leave the token, and opens it. A key of that label on the token already is
// refused with ErrKeyExists.
func Generate(u URI, pin string) (Key, error) {
	k, err := session(u, pin, true)
	if err != nil {
		return nil, err
	}
	if err := k.generate(); err != nil {
		k.Close()
		return nil, err
	}
	if err := k.find(); err != nil {
		k.Close()
		return nil, err
	}
	return k, nil
}

// session loads u's module and opens a session with u's token, logged in with pin.
func session(u URI, pin string, readWrite bool) (*key, error) {
	modulesMu.Lock()
	defer modulesMu.Unlock()
	m, err := loadModule(u.Module)
	if err != nil {
		return nil, err
	}
	sh, err := m.open(u, pin, readWrite)
	if err != nil {
		m.releaseLocked()
		return nil, err
	}
	return &key{mod: m, session: sh, token: u.Token, label: u.Label}, nil
}

// open opens a session with u's token and logs it in; modulesMu is held.
func (m *module) open(u URI, pin string, readWrite bool) (pkcs11.SessionHandle, error) {
	slot, err := m.slot(u.Token)
	if err != nil {
		return 0, err
	}
	flags := uint(pkcs11.CKF_SERIAL_SESSION)
	if readWrite {
		flags |= pkcs11.CKF_RW_SESSION
	}
	sh, err := m.ctx.OpenSession(slot, flags)
	if err != nil {
		return 0, fmt.Errorf("hsm: open a session with token %q: %w", u.Token, err)
	}
	if err := m.login(sh, slot, u.Token, pin); err != nil {
		_ = m.ctx.CloseSession(sh)
		return 0, err
	}
	return sh, nil
}

// objects are the handles of the objects of class with k's label.
func (k *key) objects(class uint) ([]pkcs11.ObjectHandle, error) {
	c := k.mod.ctx
	tmpl := []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, class),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, k.label),
	}
	if err := c.FindObjectsInit(k.session, tmpl); err != nil {
		return nil, fmt.Errorf("hsm: search token %q: %w", k.token, err)
	}
	objs, _, err := c.FindObjects(k.session, 2)
	if ferr := c.FindObjectsFinal(k.session); err == nil {
		err = ferr
	}
	if err != nil {
		return nil, fmt.Errorf("hsm: search token %q: %w", k.token, err)
	}
	return objs, nil
}

// find finds k's key pair, checks it is Ed25519 and that its halves match.
func (k *key) find() error {
	privs, err := k.objects(pkcs11.CKO_PRIVATE_KEY)
	if err != nil {
		return err
	}
	switch len(privs) {
	case 0:
		return fmt.Errorf("%w labelled %q on token %q", ErrNoKey, k.label, k.token)
	case 2:
		return fmt.Errorf("hsm: more than one private key labelled %q on token %q: give each its own label", k.label, k.token)
	}
	k.priv = privs[0]
	if err := k.checkEd25519(k.priv, "private key"); err != nil {
		return err
	}
	pubs, err := k.objects(pkcs11.CKO_PUBLIC_KEY)
	if err != nil {
		return err
	}
	switch len(pubs) {
	case 0:
		return fmt.Errorf("%w: no public key labelled %q on token %q, beside its private key: chipmint needs it for the key's address", ErrNoKey, k.label, k.token)
	case 2:
		return fmt.Errorf("hsm: more than one public key labelled %q on token %q: give each key pair its own label", k.label, k.token)
	}
	if err := k.checkEd25519(pubs[0], "public key"); err != nil {
		return err
	}
	attrs, err := k.mod.ctx.GetAttributeValue(k.session, pubs[0], []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_EC_POINT, nil)})
	if err != nil {
		return fmt.Errorf("hsm: read the public key labelled %q on token %q: %w", k.label, k.token, err)
	}
	if k.pub, err = ecPoint(attrs[0].Value); err != nil {
		return fmt.Errorf("hsm: the public key labelled %q on token %q: %w", k.label, k.token, err)
	}
	sig, err := k.Sign(nil, checkMessage, stdcrypto.Hash(0))
	if err != nil {
		return err
	}
	if !crypto.Verify(k.pub, checkMessage, sig) {
		return fmt.Errorf("hsm: the public and private keys labelled %q on token %q are not one key pair", k.label, k.token)
	}
	return nil
}

// checkEd25519 refuses an object that is not an Ed25519 key.
func (k *key) checkEd25519(obj pkcs11.ObjectHandle, what string) error {
	attrs, err := k.mod.ctx.GetAttributeValue(k.session, obj, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, nil)})
	if err != nil {
		return fmt.Errorf("hsm: read the %s labelled %q on token %q: %w", what, k.label, k.token, err)
	}
	if t := ulong(attrs[0].Value); t != ckkECEdwards {
		return fmt.Errorf("%w: the %s labelled %q on token %q is of PKCS#11 key type 0x%x", crypto.ErrNotEd25519, what, k.label, k.token, t)
	}
	attrs, err = k.mod.ctx.GetAttributeValue(k.session, obj, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_EC_PARAMS, nil)})
	if err != nil {
		return fmt.Errorf("hsm: read the curve of the %s labelled %q on token %q: %w", what, k.label, k.token, err)
	}
	if p := attrs[0].Value; !bytes.Equal(p, ed25519Params) && !bytes.Equal(p, ed25519ParamsName) {
		return fmt.Errorf("%w: the %s labelled %q on token %q is on the curve % x, not edwards25519 (Ed448?)", crypto.ErrNotEd25519, what, k.label, k.token, p)
	}
	return nil
}

// ulong reads a CK_ULONG attribute, in the host's byte order and size.
func ulong(b []byte) uint64 {
	switch len(b) {
	case 8:
		return binary.NativeEndian.Uint64(b)
	case 4:
		return uint64(binary.NativeEndian.Uint32(b))
	}
	return 0
}

// ecPoint reads CKA_EC_POINT of an Ed25519 key: the 32 bytes wrapped in a DER OCTET
// STRING, as PKCS#11 3.0 has it, or bare, as some tokens give it.
func ecPoint(b []byte) (ed25519.PublicKey, error) {
	switch {
	case len(b) == 2+ed25519.PublicKeySize && b[0] == 0x04 && b[1] == ed25519.PublicKeySize:
		return ed25519.PublicKey(bytes.Clone(b[2:])), nil
	case len(b) == ed25519.PublicKeySize:
		return ed25519.PublicKey(bytes.Clone(b)), nil
	}
	return nil, fmt.Errorf("CKA_EC_POINT of %d bytes is not an Ed25519 public key", len(b))
}

// generate makes k's key pair on its token.
func (k *key) generate() error {
	privs, err := k.objects(pkcs11.CKO_PRIVATE_KEY)
	if err != nil {
		return err
	}
	pubs, err := k.objects(pkcs11.CKO_PUBLIC_KEY)
	if err != nil {
		return err
	}
	if len(privs)+len(pubs) > 0 {
		return fmt.Errorf("%w labelled %q on token %q", ErrKeyExists, k.label, k.token)
	}
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return err
	}
	pub := []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, false),
		pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, ckkECEdwards),
		pkcs11.NewAttribute(pkcs11.CKA_EC_PARAMS, ed25519Params),
		pkcs11.NewAttribute(pkcs11.CKA_VERIFY, true),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, k.label),
		pkcs11.NewAttribute(pkcs11.CKA_ID, id),
	}
	priv := []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, true),
		pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, ckkECEdwards),
		pkcs11.NewAttribute(pkcs11.CKA_SIGN, true),
		pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, true),
		pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, false),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, k.label),
		pkcs11.NewAttribute(pkcs11.CKA_ID, id),
	}
	mech := []*pkcs11.Mechanism{pkcs11.NewMechanism(ckmECEdwardsKeyPairGen, nil)}
	if _, _, err := k.mod.ctx.GenerateKeyPair(k.session, mech, pub, priv); err != nil {
		return fmt.Errorf("hsm: make an Ed25519 key on token %q: %w", k.token, err)
	}
	return nil
}

// Public is the key's Ed25519 public key.
func (k *key) Public() stdcrypto.PublicKey { return k.pub }

// Sign signs msg itself by Ed25519 (CKM_EDDSA, no prehash) on the token. One signature
// is made at a time: a session runs one operation.
func (k *key) Sign(_ io.Reader, msg []byte, opts stdcrypto.SignerOpts) ([]byte, error) {
	if opts.HashFunc() != 0 {
		return nil, fmt.Errorf("hsm: sign: want pure Ed25519 (no hash), got %v", opts.HashFunc())
	}
	if o, ok := opts.(*ed25519.Options); ok && o.Context != "" {
		return nil, errors.New("hsm: sign: want pure Ed25519, without a context")
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		return nil, fmt.Errorf("%w: labelled %q on token %q", ErrClosed, k.label, k.token)
	}
	mech := []*pkcs11.Mechanism{pkcs11.NewMechanism(ckmEdDSA, nil)}
	if err := k.mod.ctx.SignInit(k.session, mech, k.priv); err != nil {
		return nil, fmt.Errorf("hsm: sign with the key labelled %q on token %q: %w", k.label, k.token, err)
	}
	sig, err := k.mod.ctx.Sign(k.session, msg)
	if err != nil {
		return nil, fmt.Errorf("hsm: sign with the key labelled %q on token %q: %w", k.label, k.token, err)
	}
	return sig, nil
}

// Close ends the key's session; the token logs the process out with its last session.
func (k *key) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		return nil
	}
	k.closed = true
	err := k.mod.ctx.CloseSession(k.session)
	k.mod.release()
	if err != nil {
		return fmt.Errorf("hsm: close the session with token %q: %w", k.token, err)
	}
	return nil
}

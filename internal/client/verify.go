package client

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	"github.com/cometbft/cometbft/light"
	"github.com/cometbft/cometbft/light/provider"
	lighthttp "github.com/cometbft/cometbft/light/provider/http"
	lightdb "github.com/cometbft/cometbft/light/store/db"
	"github.com/cometbft/cometbft/types"

	"github.com/chipmint/chipmint/internal/merkle"
)

// ErrRefused is an answer a Verifier does not believe: its proof does not lead to a
// header the light client verified, or the primary served a header that is not the
// chain's, or the light client could not verify the header from the trusted one.
var ErrRefused = errors.New("client: answer refused")

// ErrAttack is a primary and a witness that serve conflicting headers, both signed by
// the chain's validators: one of them follows a fork, so the primary's answer is refused
// (it wraps ErrRefused).
var ErrAttack = fmt.Errorf("%w: light client attack detected", ErrRefused)

// ErrTrustExpired is a trusted header older than the trusting period: nothing was
// refused, another trusted header is needed.
var ErrTrustExpired = errors.New("client: the trusted header expired")

// ErrNoWitness is a verifier given no witness: the light client finds a lying primary
// only by comparing its headers with a witness's.
var ErrNoWitness = errors.New("client: a witness is required: a lying primary is caught only by comparing its headers with another node's")

// ErrWitnessSameNode is a witness that is the primary's node, or a node another witness
// is already, under the same address or another: comparing a node's headers with its
// own checks nothing, so the verifier refuses to start rather than claim a check it
// did not make. No node lied; another node is to be named.
var ErrWitnessSameNode = errors.New("client: a witness is the same node as the primary or as another witness")

// Trust is the header a Verifier starts from, taken from a source the user trusts
// (another operator, a published checkpoint), never from the primary: its height, its
// hash, and how long after its time it may still be trusted (the light client's
// trusting period).
type Trust struct {
	Height int64
	Hash   []byte
	Period time.Duration
}

// Verifier reads state entries from a primary node with their proofs, and believes
// them only against headers that CometBFT's light client verified from the trusted
// header and compared with every witness's.
type Verifier struct {
	primary     *Client
	primaryAddr string
	// witnessClients are the witnesses' RPC clients, asked for their last height.
	witnessClients []*Client
	provider       *primaryProvider
	light          *light.Client
	trust          Trust
	witnesses      int
}

// Proved is a state entry's proof checked against the header that carries its height's
// app hash, and what that header was verified from.
type Proved struct {
	ChainID string
	Proof   *merkle.StateProof
	// HeaderHeight is the height of the verified header, Proof.Height+1, and
	// HeaderHash its hash.
	HeaderHeight int64
	HeaderHash   []byte
	// HeaderTime is the verified header's time: how recent the answer is.
	HeaderTime  time.Time
	TrustHeight int64
	Witnesses   int
}

// NewVerifier connects to the primary and the witnesses and verifies the trusted header
// against the primary, comparing it with the witnesses'. A witness whose node id is the
// primary's or another witness's is ErrWitnessSameNode. A witness on another chain
// than the primary's, or a primary whose header at the trusted height is not the
// trusted one, is ErrRefused.
func NewVerifier(ctx context.Context, primaryAddr string, witnessAddrs []string, trust Trust) (*Verifier, error) {
	if len(witnessAddrs) == 0 {
		return nil, ErrNoWitness
	}
	primary, err := Dial(ctx, primaryAddr)
	if err != nil {
		return nil, fmt.Errorf("client: the primary: %w", err)
	}
	v := &Verifier{primary: primary, primaryAddr: primaryAddr, trust: trust, witnesses: len(witnessAddrs)}
	if err := v.start(ctx, witnessAddrs); err != nil {
		return nil, errors.Join(err, v.Close())
	}
	return v, nil
}

func (v *Verifier) start(ctx context.Context, witnessAddrs []string) error {
	chainID := v.primary.ChainID()
	var witnesses []provider.Provider
	// seen names, by node id, the address each node was first met at.
	seen := map[string]string{v.primary.nodeID: "the primary " + v.primaryAddr}
	for _, addr := range witnessAddrs {
		w, err := Dial(ctx, addr)
		if err != nil {
			return fmt.Errorf("client: the witness: %w", err)
		}
		v.witnessClients = append(v.witnessClients, w)
		if first, ok := seen[w.nodeID]; ok {
			return fmt.Errorf("%w: the witness %s is node %s, as %s is: its headers would be compared with its own", ErrWitnessSameNode, addr, w.nodeID, first)
		}
		seen[w.nodeID] = "the witness " + addr
		if w.ChainID() != chainID {
			return fmt.Errorf("%w: the primary %s runs chain %q, the witness %s chain %q", ErrRefused, v.primaryAddr, chainID, addr, w.ChainID())
		}
		witnesses = append(witnesses, lighthttp.NewWithClient(chainID, w.rpc))
	}
	v.provider = &primaryProvider{Provider: lighthttp.NewWithClient(chainID, v.primary.rpc)}
	opts := light.TrustOptions{Period: v.trust.Period, Height: v.trust.Height, Hash: v.trust.Hash}
	lc, err := light.NewClient(ctx, chainID, opts, v.provider, witnesses, lightdb.New(dbm.NewMemDB(), chainID))
	replaced := v.provider.replaced(lc)
	if err == nil {
		err = replaced
	}
	if err != nil {
		return v.lightError(err, replaced, fmt.Sprintf("the trusted header at height %d", v.trust.Height))
	}
	v.light = lc
	return nil
}

// Close closes the connections to the primary and the witnesses.
func (v *Verifier) Close() error {
	err := v.primary.Close()
	for _, w := range v.witnessClients {
		err = errors.Join(err, w.Close())
	}
	return err
}

// ChainID is the chain the primary runs, which the trusted header and the witnesses
// confirmed.
func (v *Verifier) ChainID() string { return v.primary.ChainID() }

// Prove reads the state entry at key after height (0: the last height whose next
// header the primary and every witness have) from the primary, verifies the header of height+1 with the
// light client and checks the proof against its app hash. A proof that does not lead
// to it, or a header the light client refuses, is ErrRefused; a primary and a witness
// with conflicting headers are ErrAttack.
func (v *Verifier) Prove(ctx context.Context, key []byte, height int64) (Proved, error) {
	if height == 0 {
		latest, err := v.latest(ctx)
		if err != nil {
			return Proved{}, err
		}
		height = latest - 1
	}
	if height < 1 {
		return Proved{}, fmt.Errorf("client: no state at height %d to prove", height)
	}
	lb, err := v.light.VerifyLightBlockAtHeight(ctx, height+1, time.Now())
	replaced := v.provider.replaced(v.light)
	if err == nil {
		err = replaced
	}
	if err != nil {
		return Proved{}, v.lightError(err, replaced, fmt.Sprintf("the header at height %d (trusted height %d)", height+1, v.trust.Height))
	}
	p, err := v.primary.ProveState(ctx, key, height)
	if err != nil {
		return Proved{}, err
	}
	if p.Height != height {
		return Proved{}, fmt.Errorf("%w: asked for a proof at height %d, the primary %s answered one at %d", ErrRefused, height, v.primaryAddr, p.Height)
	}
	if err := CheckStateProof(v.ChainID(), lb.SignedHeader, lb.ValidatorSet, p); err != nil {
		return Proved{}, fmt.Errorf("%w: the primary %s's proof at height %d, against the verified header %d: %w", ErrRefused, v.primaryAddr, height, height+1, err)
	}
	return Proved{ChainID: v.ChainID(), Proof: p, HeaderHeight: lb.Height, HeaderHash: lb.Hash(), HeaderTime: lb.Time, TrustHeight: v.trust.Height, Witnesses: v.witnesses}, nil
}

// primaryLagMax is how many blocks the primary's last height may be behind a
// witness's when the last state is asked for: more, and the primary answers from a
// state older than the chain's, true but stale (an order since reversed, a balance since
// spent).
const primaryLagMax = 5

// latest is the last height the primary and every witness within primaryLagMax blocks
// of it have, once no witness is further than that ahead of the primary. A witness a
// block behind is usual, as it receives the block after the validators; asked for a
// header it does not have yet, the light client waits twice its clock drift and its
// block lag (30 seconds by default) before comparing. A witness further behind is not
// waited for here: the answer would be as stale as it is.
func (v *Verifier) latest(ctx context.Context) (int64, error) {
	primary, err := v.primary.Height(ctx)
	if err != nil {
		return 0, fmt.Errorf("client: the primary: %w", err)
	}
	latest := primary
	for i, w := range v.witnessClients {
		h, err := w.Height(ctx)
		if err != nil {
			return 0, fmt.Errorf("client: the witness %d: %w", i+1, err)
		}
		if h > primary+primaryLagMax {
			return 0, fmt.Errorf("%w: the primary %s is at height %d, a witness at %d: it would answer from a state %d blocks old", ErrRefused, v.primaryAddr, primary, h, h-primary)
		}
		if h >= primary-primaryLagMax {
			latest = min(latest, h)
		}
	}
	return latest, nil
}

// lightError names why the light client did not verify what: refused (ErrRefused,
// ErrAttack) unless the context ended, no node had the header (not yet, or no longer),
// or the primary, which it replaced (replaced is why), did not answer.
func (v *Verifier) lightError(err, replaced error, what string) error {
	var conflict light.ErrConflictingHeaders
	var bad provider.ErrBadLightBlock
	var expired light.ErrOldHeaderExpired
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("client: verify %s: %w", what, err)
	case errors.As(err, &expired):
		return fmt.Errorf("%w: the trusted header at height %d is older than the trusting period (%s): trust a newer header, or a longer period if the chain's validators allow it", ErrTrustExpired, v.trust.Height, v.trust.Period)
	case errors.Is(err, light.ErrFailedHeaderCrossReferencing):
		return fmt.Errorf("client: no witness confirmed %s: each failed to answer or no longer has it", what)
	case errors.Is(err, light.ErrLightClientAttack) || errors.As(err, &conflict):
		return fmt.Errorf("%w: the primary %s and a witness serve conflicting headers, both signed, for %s: one of them follows a fork of the chain, and the primary's answer is not believed", ErrAttack, v.primaryAddr, what)
	case errors.Is(err, provider.ErrHeightTooHigh) || errors.Is(err, provider.ErrLightBlockNotFound) || errors.Is(err, provider.ErrNoResponse):
		return fmt.Errorf("client: %s is not served, by the primary or by a witness it was compared with (not yet, or no longer): %w", what, err)
	case errors.As(replaced, &bad):
		return fmt.Errorf("%w: the primary %s served %s not valid: %w", ErrRefused, v.primaryAddr, what, bad.Reason)
	case replaced != nil:
		return fmt.Errorf("client: the primary %s did not serve %s: %w", v.primaryAddr, what, replaced)
	}
	return fmt.Errorf("%w: %s: %w", ErrRefused, what, err)
}

// primaryProvider is the primary's light block provider, which keeps its last error:
// the light client drops a failing primary without saying why.
type primaryProvider struct {
	provider.Provider
	mu  sync.Mutex
	err error
}

func (p *primaryProvider) LightBlock(ctx context.Context, height int64) (*types.LightBlock, error) {
	lb, err := p.Provider.LightBlock(ctx, height)
	if err != nil {
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
	}
	return lb, err
}

// replaced is why lc no longer asks p, if it does not: the light client drops a
// primary that fails to serve a header, or serves one that is not valid, and carries
// on with a witness's, which is then not the primary's answer.
func (p *primaryProvider) replaced(lc *light.Client) error {
	if lc == nil || lc.Primary() == provider.Provider(p) {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err == nil {
		return errors.New("the light client dropped it")
	}
	return p.err
}

// TrustHash reads a trusted header's hash as users give it: 64 hex digits.
func TrustHash(s string) ([]byte, error) {
	h, err := hex.DecodeString(s)
	if err != nil || len(h) != 32 {
		return nil, fmt.Errorf("want a header's hash, 64 hex digits, got %q", s)
	}
	return h, nil
}

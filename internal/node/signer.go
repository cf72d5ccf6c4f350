package node

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtnet "github.com/cometbft/cometbft/libs/net"
	p2pconn "github.com/cometbft/cometbft/p2p/conn"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/types"
)

// How the remote signer reaches its node: it dials every second until the node listens,
// and gives a dial, and the handshake of an encrypted connection, 5 s each.
const (
	signerDialPause   = time.Second
	signerDialTimeout = 5 * time.Second
)

// ErrSignerAddress is a remote signer's address that is neither tcp:// nor unix://.
var ErrSignerAddress = errors.New("node: signer: want tcp://host:port or unix://path")

// SignerOptions set up a remote signer.
type SignerOptions struct {
	// KeyFile and StateFile are the validator's priv_validator_key.json and
	// priv_validator_state.json: its key and the last height, round and step it signed.
	KeyFile   string
	StateFile string
	// Connect is the node's priv_validator_laddr as the signer dials it:
	// tcp://host:port or unix://path.
	Connect string
	// ChainID is the chain whose votes and proposals the signer signs; it refuses others.
	ChainID string
	// Logger receives the signer's logs; nil discards them.
	Logger *slog.Logger
}

// RunSigner signs the votes and proposals of the node at o.Connect with the validator's
// key until ctx is done. It dials the node, and dials again whenever the connection
// is lost, as when the node restarts. The key's state file is written before each
// signature leaves, so that the signer, restarted, never signs a height, round and step
// twice; run one signer per key, never two.
func RunSigner(ctx context.Context, o SignerOptions) error {
	proto, addr := cmtnet.ProtocolAndAddress(o.Connect)
	if (proto != "tcp" && proto != "unix") || addr == "" {
		return fmt.Errorf("%w, got %q", ErrSignerAddress, o.Connect)
	}
	if o.ChainID == "" {
		return errors.New("node: signer: no chain id")
	}
	for _, file := range []string{o.KeyFile, o.StateFile} {
		if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: %s does not exist", ErrNoValidatorKey, file)
		} else if err != nil {
			return fmt.Errorf("node: signer: %w", err)
		}
	}
	pv := privval.LoadFilePV(o.KeyFile, o.StateFile)
	logger := Options{Logger: o.Logger}.logger().With("validator", pv.GetAddress().String(), "node", o.Connect)
	// The node does not authenticate its signer (CometBFT's listener accepts any key):
	// the key only encrypts the connection.
	connKey := ed25519.GenPrivKey()
	logger.Info("signer running", "chain_id", o.ChainID)
	for {
		conn, err := dialNode(ctx, proto, addr, connKey, logger)
		if err != nil {
			return nil
		}
		logger.Info("connected to the node")
		err = serveNode(ctx, conn, pv, o.ChainID, logger)
		if ctx.Err() != nil {
			return nil
		}
		logger.Warn("connection to the node lost: dialling again", "err", err)
	}
}

// dialNode dials the node until it answers or ctx is done; a TCP connection is
// encrypted as CometBFT's listener expects it.
func dialNode(ctx context.Context, proto, addr string, key ed25519.PrivKey, logger *slog.Logger) (net.Conn, error) {
	d := net.Dialer{Timeout: signerDialTimeout}
	for attempt := 0; ; attempt++ {
		conn, err := d.DialContext(ctx, proto, addr)
		if err == nil && proto == "tcp" {
			conn, err = secretConnection(conn, key)
		}
		if err == nil {
			return conn, nil
		}
		if attempt == 0 {
			logger.Info("waiting for the node", "err", err)
		} else {
			logger.Debug("node not answering", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(signerDialPause):
		}
	}
}

func secretConnection(conn net.Conn, key ed25519.PrivKey) (net.Conn, error) {
	if err := conn.SetDeadline(time.Now().Add(signerDialTimeout)); err != nil {
		return nil, errors.Join(err, conn.Close())
	}
	sc, err := p2pconn.MakeSecretConnection(conn, key)
	if err != nil {
		return nil, errors.Join(err, conn.Close())
	}
	if err := sc.SetDeadline(time.Time{}); err != nil {
		return nil, errors.Join(err, sc.Close())
	}
	return sc, nil
}

// serveNode answers the node's requests on conn with CometBFT's signer server until the
// connection is lost, and returns why, or until ctx is done.
func serveNode(ctx context.Context, conn net.Conn, pv types.PrivValidator, chainID string, logger *slog.Logger) error {
	// Once the connection is lost, or ctx done, the server's errors are no fault.
	var stopping atomic.Bool
	lc := &signerConn{Conn: conn, stopping: &stopping, lost: make(chan struct{})}
	var handed atomic.Bool
	// The server dials through this once, for conn; asked again, the connection is lost
	// and RunSigner dials anew.
	dial := func() (net.Conn, error) {
		if handed.Swap(true) {
			return nil, net.ErrClosed
		}
		return lc, nil
	}
	endpoint := privval.NewSignerDialerEndpoint(cometLogger(logger, &stopping), dial, privval.SignerDialerEndpointConnRetries(1))
	server := privval.NewSignerServer(endpoint, chainID, pv)
	if err := server.Start(); err != nil {
		return errors.Join(fmt.Errorf("node: signer: %w", err), lc.Close())
	}
	select {
	case <-ctx.Done():
	case <-lc.lost:
	}
	// Closed first, the connection ends the server's read, which holds the endpoint.
	_ = lc.Close()
	_ = server.Stop()
	return lc.cause
}

// signerConn is the signer's connection to its node, telling when it is lost: CometBFT's
// signer server reads on after an end of file instead of dialling again.
type signerConn struct {
	net.Conn
	stopping *atomic.Bool
	once     sync.Once
	// cause is the error that lost the connection; err is its closing's.
	cause, err error
	lost       chan struct{}
}

func (c *signerConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if err != nil {
		c.lose(err)
	}
	return n, err
}

func (c *signerConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if err != nil {
		c.lose(err)
	}
	return n, err
}

// Close closes the connection once, whoever asks first.
func (c *signerConn) Close() error {
	c.lose(nil)
	return c.err
}

func (c *signerConn) lose(cause error) {
	c.once.Do(func() {
		c.stopping.Store(true)
		c.cause = cause
		c.err = c.Conn.Close()
		close(c.lost)
	})
}

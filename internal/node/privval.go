package node

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"time"

	cfg "github.com/cometbft/cometbft/config"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/types"
)

// DefaultSignerWait is how long a node whose home sets priv_validator_laddr waits at
// its start for the remote signer to connect, unless Options.SignerWait says otherwise.
const DefaultSignerWait = time.Minute

// As CometBFT's own node does, a signature the remote signer does not answer is asked
// again, every 100 ms, up to 50 times, each time waiting for a connection as long as
// the listener accepts one (3 s): a signer that restarts within that time loses no vote.
const (
	signerRetries    = 50
	signerRetryPause = 100 * time.Millisecond
)

// ErrNoSigner is a node whose remote signer did not connect in time.
var ErrNoSigner = errors.New("node: no remote signer connected")

// signerWait is the options' bound on the wait for the remote signer.
func (o Options) signerWait() time.Duration {
	if o.SignerWait <= 0 {
		return DefaultSignerWait
	}
	return o.SignerWait
}

// privValidator is what signs the node's votes and proposals: the key file of the home,
// or, when config.toml sets priv_validator_laddr, the remote signer that connects
// there within wait, whose listener it also returns.
func privValidator(conf *cfg.Config, chainID string, nodeKey *p2p.NodeKey, wait time.Duration, logger *slog.Logger, cmtLogger cmtlog.Logger) (types.PrivValidator, *privval.SignerListenerEndpoint, error) {
	if conf.PrivValidatorListenAddr == "" {
		for _, file := range []string{conf.PrivValidatorKeyFile(), conf.PrivValidatorStateFile()} {
			if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
				return nil, nil, fmt.Errorf("%w: %s does not exist: put the validator's key and state files back, "+
					"or set priv_validator_laddr in config.toml if they are with a remote signer (docs/operations.md §3.8)", ErrNoValidatorKey, file)
			}
		}
		return privval.LoadFilePV(conf.PrivValidatorKeyFile(), conf.PrivValidatorStateFile()), nil, nil
	}
	addr := conf.PrivValidatorListenAddr
	if _, err := os.Stat(conf.PrivValidatorKeyFile()); err == nil {
		logger.Warn("config.toml sets priv_validator_laddr: the node signs through the remote signer, not with its key file; "+
			"keep the key with the signer only", "key_file", conf.PrivValidatorKeyFile(), "priv_validator_laddr", addr)
	}
	endpoint, err := privval.NewSignerListenerFromAddr(addr, nodeKey.PrivKey, cmtLogger)
	if err != nil {
		return nil, nil, fmt.Errorf("node: config.toml: priv_validator_laddr %s: %w", addr, err)
	}
	client, err := privval.NewSignerClient(endpoint, chainID)
	if err != nil {
		return nil, nil, fmt.Errorf("node: priv_validator_laddr %s: %w", addr, err)
	}
	logger.Info("waiting for the remote signer", "priv_validator_laddr", addr, "wait", wait)
	if err := client.WaitForConnection(wait); err != nil {
		return nil, nil, errors.Join(fmt.Errorf("%w to priv_validator_laddr %s within %s: start the signer, "+
			"check that it dials this address and that the firewall lets it through", ErrNoSigner, addr, wait), stopSigner(endpoint))
	}
	pub, err := client.GetPubKey()
	if err != nil {
		return nil, nil, errors.Join(fmt.Errorf("node: the remote signer at %s gives no key for chain %s: %w", addr, chainID, err), stopSigner(endpoint))
	}
	logger.Info("remote signer connected", "priv_validator_laddr", addr, "validator", pub.Address())
	return privval.NewRetrySignerClient(client, signerRetries, signerRetryPause), endpoint, nil
}

// stopSigner closes the remote signer's listener, if there is one.
func stopSigner(endpoint *privval.SignerListenerEndpoint) error {
	if endpoint == nil || !endpoint.IsRunning() {
		return nil
	}
	if err := endpoint.Stop(); err != nil {
		return fmt.Errorf("node: remote signer: %w", err)
	}
	return nil
}

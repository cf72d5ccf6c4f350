package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/cometbft/cometbft/crypto/ed25519"
)

// ErrNoValidatorKey is a home without a validator key file.
var ErrNoValidatorKey = errors.New("node: no validator key")

// ErrRemoteSigner is a home whose node signs through a remote signer: its key is not in
// the home.
var ErrRemoteSigner = errors.New("node: the validator's key is in a remote signer")

// ValidatorPublicKey reads the Ed25519 consensus key of the node of home: pub_key.value
// of its validator key file (config/priv_validator_key.json, or where the home's
// config.toml puts it), in CometBFT's JSON format. Only the public key is read. A home
// whose config.toml sets priv_validator_laddr is refused: its node signs with the key
// of its remote signer, whatever file the home may still hold.
func ValidatorPublicKey(home string) ([]byte, error) {
	file := DefaultConfig(home).PrivValidatorKeyFile()
	if _, err := os.Stat(filepath.Join(home, "config", "config.toml")); err == nil {
		conf, err := LoadConfig(home)
		if err != nil {
			return nil, err
		}
		if conf.PrivValidatorListenAddr != "" {
			return nil, fmt.Errorf("%w: %s sets priv_validator_laddr %s", ErrRemoteSigner, filepath.Join(home, "config", "config.toml"), conf.PrivValidatorListenAddr)
		}
		file = conf.PrivValidatorKeyFile()
	}
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s does not exist: is %s a node's home?", ErrNoValidatorKey, file, home)
	}
	if err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	var key struct {
		PubKey struct {
			Type  string `json:"type"`
			Value []byte `json:"value"`
		} `json:"pub_key"`
	}
	if err := json.Unmarshal(b, &key); err != nil {
		return nil, fmt.Errorf("node: %s: %w", file, err)
	}
	if key.PubKey.Type != ed25519.PubKeyName || len(key.PubKey.Value) != ed25519.PubKeySize {
		return nil, fmt.Errorf("node: %s: want an Ed25519 key (%s, 32 bytes), got %q of %d bytes", file, ed25519.PubKeyName, key.PubKey.Type, len(key.PubKey.Value))
	}
	return key.PubKey.Value, nil
}

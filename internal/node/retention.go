package node

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/viper"
)

// Roles a node can have, as config/chipmint.toml names them.
const (
	// RoleValidator keeps what a validator needs: the latest blocks, no ABCI results,
	// an index of the event attributes clients search.
	RoleValidator = "validator"
	// RoleArchive keeps everything: every block, every block's ABCI results, every event
	// attribute indexed.
	RoleArchive = "archive"
)

// DefaultRetainBlocks is how many of the latest blocks a validator keeps unless its
// config/chipmint.toml says otherwise: CometBFT's default age of the evidence of a
// validator's misbehaviour, in blocks, whose headers a validator needs to verify it.
const DefaultRetainBlocks = 100_000

// Retention is what a node keeps of the chain's history, from its config/chipmint.toml
// (docs/operations.md §2.1).
type Retention struct {
	// Archive keeps every block, every block's ABCI results and every event attribute
	// indexed; RetainBlocks is then ignored.
	Archive bool
	// RetainBlocks is how many of the latest blocks a node that is not an archive keeps,
	// never fewer than its snapshots need; zero keeps every block.
	RetainBlocks int64
	// StateHistory is how many heights before the last the state tree keeps, for proofs
	// and queries at past heights, on a node that is not an archive; zero keeps every
	// height.
	StateHistory int64
}

// DefaultStateHistory is the number of past heights of the state a node keeps readable
// and provable unless its config/chipmint.toml says otherwise: about three hours of
// blocks at one a second.
const DefaultStateHistory = 10_000

// DefaultRetention is a validator's: the latest DefaultRetainBlocks blocks, the state of
// the latest DefaultStateHistory heights.
func DefaultRetention() Retention {
	return Retention{RetainBlocks: DefaultRetainBlocks, StateHistory: DefaultStateHistory}
}

// stateHistory is the store's History: what the state tree keeps.
func (r Retention) stateHistory() int64 {
	if r.Archive {
		return 0
	}
	return r.StateHistory
}

// retentionFile is where a home keeps its Retention.
func retentionFile(home string) string { return filepath.Join(home, "config", "chipmint.toml") }

// WriteRetention writes r to the home's config/chipmint.toml.
func WriteRetention(home string, r Retention) error {
	role := RoleValidator
	if r.Archive {
		role = RoleArchive
	}
	text := fmt.Sprintf(`# chipmint's own settings of this node; CometBFT's are in config.toml.
# What the node keeps of the chain's history (docs/operations.md §2.1).

# "validator": keeps the latest retain_blocks blocks, discards the blocks' ABCI results
# (config.toml: [storage] discard_abci_responses) and indexes only the event attributes
# clients search (order.id, order.status).
# "archive": keeps every block and every block's results, and indexes every attribute.
role = %q

# How many of the latest blocks a validator keeps, never fewer than its snapshots need;
# 0 keeps every block. An archive keeps every block whatever this says.
retain_blocks = %d

# How many heights before the last the state tree keeps, for proofs and queries at past
# heights (docs/operations.md §10.2); 0 keeps every height, as an archive does whatever
# this says. Keep retain_blocks above it: a proof is checked against a block's header.
state_history = %d
`, role, r.RetainBlocks, r.StateHistory)
	if err := os.WriteFile(retentionFile(home), []byte(text), 0o600); err != nil {
		return fmt.Errorf("node: %w", err)
	}
	return nil
}

// LoadRetention reads the home's config/chipmint.toml; a home without one, or a setting
// it leaves out, takes DefaultRetention's.
func LoadRetention(home string) (Retention, error) {
	file := retentionFile(home)
	v := viper.New()
	v.SetConfigFile(file)
	v.SetDefault("role", RoleValidator)
	v.SetDefault("retain_blocks", int64(DefaultRetainBlocks))
	v.SetDefault("state_history", int64(DefaultStateHistory))
	if err := v.ReadInConfig(); err != nil && !errors.Is(err, os.ErrNotExist) {
		return Retention{}, fmt.Errorf("node: read %s: %w", file, err)
	}
	r := Retention{RetainBlocks: v.GetInt64("retain_blocks"), StateHistory: v.GetInt64("state_history")}
	switch role := v.GetString("role"); role {
	case RoleValidator:
	case RoleArchive:
		r.Archive = true
	default:
		return Retention{}, fmt.Errorf("node: %s: role %q: want %q or %q", file, role, RoleValidator, RoleArchive)
	}
	if r.RetainBlocks < 0 {
		return Retention{}, fmt.Errorf("node: %s: retain_blocks %d: want 0 (every block) or more", file, r.RetainBlocks)
	}
	if r.StateHistory < 0 {
		return Retention{}, fmt.Errorf("node: %s: state_history %d: want 0 (every height) or more", file, r.StateHistory)
	}
	return r, nil
}

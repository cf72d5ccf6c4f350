package ledger

import "errors"

// ErrGenesis is a genesis that cannot start a chain.
var ErrGenesis = errors.New("ledger: invalid genesis")

// ErrInvariant is a broken invariant of the state: a bug, never a user's mistake.
var ErrInvariant = errors.New("ledger: invariant broken")

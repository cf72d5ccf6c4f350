// Package system is the one assembly of the running system: it starts a node, the
// sandbox bank, operators' gateways and the issuer service, alone or together, for
// `chipmint dev`, `demo`, `bench`, the standalone commands and the tests.
//
// It only wires parts that other packages implement; it holds no rule of the ledger,
// the bank formats or the services. No other non-test package starts those parts (a
// layout test keeps it so), so that how the system runs is written once.
package system

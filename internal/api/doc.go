// Package api is the wire format of the node's own HTTP API (chipmint node --api): its
// paths, the framing of a bulk submission of signed transactions and its limits, and
// the answers, one definition that the node serves and the client reads.
//
// It holds no server and no client, and imports nothing of the chain's state machine
// or of CometBFT: a program outside the node can speak the API with it alone.
package api

// Package cli holds chipmint's commands: one command per file, each an Options struct,
// a NewCmdX that binds flags, and a runX that does the work, so that a command can be
// tested without a process.
//
// Commands keep to flags, calls and output: they see the chain through package client,
// as any outside program would, and get the parts of the running system (a node, the
// sandbox bank, gateways, the issuer service) from package system. Every command
// answers in text for people or, with --output json, in JSON for programs, and exits 2
// for a usage error, 3 for a rejected transaction and 1 for anything else.
package cli

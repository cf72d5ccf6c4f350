// Package cli holds chipmint's commands: one command per file, each an Options struct,
// a NewCmdX that binds flags, and a runX that does the work, so that a command can be
// tested without a process.
//
// Commands see the chain through package client, as any outside program would; only
// `node` and `demo` start a node in process. Every command answers in text for people
// or, with --output json, in JSON for programs.
package cli

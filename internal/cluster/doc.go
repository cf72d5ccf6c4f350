// Package cluster runs a network of chipmint validators as separate OS processes on
// loopback, for fault tests: it starts, kills (SIGKILL), freezes (SIGSTOP), thaws and
// restarts nodes, drives a steady load of buys, confirmations, issues and transfers
// through different nodes, and audits the network afterwards with package audit.
//
// It is a test harness: its processes stop with the test that started them.
package cluster

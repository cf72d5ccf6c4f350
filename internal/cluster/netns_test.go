package cluster

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// network is a bridge in this namespace and one namespace per node, each joined to
// the bridge by a veth link: separate hosts on one machine, whose links the test cuts.
type network struct {
	t      *testing.T
	id     string
	hosts  []string
	netns  []string
	links  []string // the bridge's end of each node's link
	bridge string
}

func ip(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

// newNetwork makes n namespaced hosts on 10.77.<id>.0/24, or skips the test where it
// cannot (it needs root and iproute2).
func newNetwork(t *testing.T, n int) *network {
	if os.Geteuid() != 0 {
		t.Skip("skipped: network namespaces need root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("skipped: no ip command (iproute2)")
	}
	id := os.Getpid() % 200
	nw := &network{t: t, id: fmt.Sprint(id), bridge: fmt.Sprintf("cmbr%d", id)}
	for k := range n {
		nw.netns = append(nw.netns, fmt.Sprintf("cm%d-%d", id, k))
	}
	nw.remove() // what an earlier run that was killed may have left
	nw.netns = nil
	t.Cleanup(nw.remove)
	subnet := fmt.Sprintf("10.77.%d", id)
	steps := [][]string{
		{"link", "add", nw.bridge, "type", "bridge"},
		{"addr", "add", subnet + ".254/24", "dev", nw.bridge},
		{"link", "set", nw.bridge, "up"},
	}
	for k := range n {
		ns, link, host := fmt.Sprintf("cm%d-%d", id, k), fmt.Sprintf("cmv%d-%d", id, k), fmt.Sprintf("%s.%d", subnet, k+1)
		nw.netns, nw.links, nw.hosts = append(nw.netns, ns), append(nw.links, link), append(nw.hosts, host)
		steps = append(steps,
			[]string{"netns", "add", ns},
			[]string{"link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", ns},
			[]string{"link", "set", link, "master", nw.bridge},
			[]string{"link", "set", link, "up"},
			[]string{"-n", ns, "addr", "add", host + "/24", "dev", "eth0"},
			[]string{"-n", ns, "link", "set", "eth0", "up"},
			[]string{"-n", ns, "link", "set", "lo", "up"},
		)
	}
	for _, s := range steps {
		if err := ip(s...); err != nil {
			t.Skipf("skipped: cannot build the test network here: %v", err)
		}
	}
	return nw
}

// cut takes node k off the network; heal puts it back.
func (nw *network) cut(k int)  { nw.set(k, "down") }
func (nw *network) heal(k int) { nw.set(k, "up") }

func (nw *network) set(k int, state string) {
	nw.t.Helper()
	if err := ip("link", "set", nw.links[k], state); err != nil {
		nw.t.Fatal(err)
	}
}

func (nw *network) remove() {
	for _, ns := range nw.netns {
		_ = ip("netns", "del", ns)
	}
	_ = ip("link", "del", nw.bridge)
}

// A validator cut off from the network: the majority goes on committing; reconnected,
// the node catches up, and no node forked.
func TestPartitionedValidator(t *testing.T) {
	if testing.Short() {
		t.Skip("starts validator processes")
	}
	nw := newNetwork(t, 4)
	s := startScenario(t, Options{Hosts: nw.hosts, Netns: nw.netns})
	c, ctx := s.c, s.ctx
	s.progress(3, all(c)...)
	nw.cut(3)
	cut := time.Now()
	h := s.progress(10, 0, 1, 2)
	nw.heal(3)
	t.Logf("node3 cut off for %v while the others went to height %d", time.Since(cut).Round(time.Millisecond), h)
	if err := c.WaitHeight(ctx, h, 3); err != nil {
		t.Fatal(err)
	}
	s.finish()
}

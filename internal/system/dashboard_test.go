package system

import (
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chipmint/chipmint/internal/api"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/issuer"
	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/txn"
)

// metricName is a chipmint metric's name in a dashboard's queries or in a scrape.
var metricName = regexp.MustCompile(`\bchipmint_[a-z_]+[a-z]\b`)

// The Grafana dashboard in the repository asks only for metrics that the node, the
// gateway and the issuer service serve, each scraped from a running system.
func TestDashboardNamesServedMetrics(t *testing.T) {
	issuerKey, opKey := key(t), key(t)
	pub := issuerKey.Public().(ed25519.PublicKey)
	ch, err := StartLocalChain(t.Context(), filepath.Join(t.TempDir(), "node"), node.LocalOptions{
		ChainID: "chipmint-system", BlockTime: 100 * time.Millisecond,
		Issuers: []txn.Issuer{{ID: "issuer", Address: crypto.AddressOf(pub), PublicKey: pub}},
		Options: node.Options{APIListen: "127.0.0.1:0"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ch.Stop() })
	sys, err := Start(t.Context(), Config{Dir: t.TempDir(), Client: ch.Client, IssuerKey: issuerKey, Operators: []Operator{operator(opKey)},
		Issuer: issuer.Config{Rescan: 200 * time.Millisecond}, Poll: 50 * time.Millisecond, IssuerMetricsListen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Stop()

	served := map[string]bool{}
	for _, url := range []string{ch.Node.APIAddress() + api.PathMetrics, sys.Gateways["acme"] + "/metrics", sys.IssuerMetrics} {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %v %s", url, err, resp.Status)
		}
		for _, name := range metricName.FindAllString(string(body), -1) {
			served[name] = true
		}
	}
	raw, err := os.ReadFile("../../docs/grafana/chipmint.json")
	if err != nil {
		t.Fatal(err)
	}
	var dashboard struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &dashboard); err != nil {
		t.Fatalf("the dashboard: %v", err)
	}
	asked := 0
	for _, p := range dashboard.Panels {
		for _, target := range p.Targets {
			for _, name := range metricName.FindAllString(target.Expr, -1) {
				asked++
				if !served[name] {
					t.Errorf("panel %q asks for %s, which nothing serves", p.Title, name)
				}
			}
		}
	}
	if asked == 0 {
		t.Fatal("the dashboard asks for no chipmint metric")
	}
}

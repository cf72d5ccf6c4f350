package abciapp

import (
	"slices"
	"testing"

	"github.com/chipmint/chipmint/internal/ledger"
)

func TestRetainHeight(t *testing.T) {
	tests := []struct {
		name     string
		opts     Options
		interval int64
		height   int64
		want     int64
	}{
		{"no retention keeps every block", Options{}, 10, 500, 0},
		{"the latest blocks", Options{RetainBlocks: 100}, 0, 500, 401},
		{"without snapshots", Options{RetainBlocks: 100, SnapshotDir: ""}, 10, 500, 401},
		{"young chain", Options{RetainBlocks: 100}, 0, 50, 0},
		{"since the oldest snapshot", Options{RetainBlocks: 5, SnapshotDir: "s"}, 10, 57, 30},
		{"snapshots older than the retention", Options{RetainBlocks: 100, SnapshotDir: "s"}, 10, 500, 401},
		{"more snapshots kept", Options{RetainBlocks: 5, SnapshotDir: "s", SnapshotsKept: 4}, 10, 57, 10},
		{"before the first snapshots", Options{RetainBlocks: 5, SnapshotDir: "s"}, 10, 25, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &App{opts: tt.opts, params: ledger.Params{CheckpointInterval: tt.interval}}
			if got := a.retainHeight(tt.height); got != tt.want {
				t.Errorf("retainHeight(%d) = %d, want %d", tt.height, got, tt.want)
			}
		})
	}
}

func TestIndexedEvents(t *testing.T) {
	events := []ledger.Event{
		{Type: "order", Attrs: []ledger.Attr{{Key: "id", Value: "X"}, {Key: "status", Value: "paid"}, {Key: "buyer", Value: "chip1"}}},
		{Type: "transfer", Attrs: []ledger.Attr{{Key: "from", Value: "a"}, {Key: "to", Value: "b"}, {Key: "amount_chips", Value: "1"}}},
		{Type: "msg", Attrs: []ledger.Attr{{Key: "type", Value: "transfer"}, {Key: "signer", Value: "a"}}},
	}
	for _, archive := range []bool{false, true} {
		a := &App{opts: Options{IndexAllEvents: archive}}
		for _, ev := range a.toABCIEvents(events) {
			for _, at := range ev.Attributes {
				key := ev.Type + "." + at.Key
				want := archive || slices.Contains([]string{"order.id", "order.status", "order.buyer", "transfer.to", "msg.signer"}, key)
				if at.Index != want {
					t.Errorf("archive %v: %s indexed %v, want %v", archive, key, at.Index, want)
				}
			}
		}
	}
}

package app

import (
	"context"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
	"github.com/iotos/iotos/pkg/driver"
)

func TestBatchStoredOnceAndAckedTwice(t *testing.T) {
	a, st := newApp(t, nil)
	f := seed(t, a)
	ctx := context.Background()
	var fanned [][]model.Sample
	a.SetOnSamples(func(s []model.Sample) { fanned = append(fanned, s) })
	b := bus.Batch{Epoch: "e1", Seq: 7, Samples: []bus.WireSample{
		{P: rel(f.temp), V: 21.5, T: 1000},
		{P: rel(f.count), V: float64(3), T: 1000},
		{P: f.dev + ".ffff", V: 1.0, T: 1000}, // no such point
		{P: "00000000.0000", V: 1.0, T: 1000}, // no such device
	}}
	ack, err := a.Batch(ctx, f.gw, b)
	if err != nil {
		t.Fatal(err)
	}
	if ack.Seq != 7 || ack.Duplicate || ack.Dropped != 2 {
		t.Fatalf("first ack %+v", ack)
	}
	ack, err = a.Batch(ctx, f.gw, b)
	if err != nil {
		t.Fatal(err)
	}
	if ack.Seq != 7 || !ack.Duplicate {
		t.Fatalf("second ack %+v, want duplicate", ack)
	}
	got, trunc, err := st.QueryHistory(ctx, store.HistoryQuery{ID: f.temp.FullID(), Limit: 100})
	if err != nil || trunc || len(got) != 1 || got[0].Value != 21.5 {
		t.Fatalf("history %+v %v %v", got, trunc, err)
	}
	vals, err := a.CurrentValues(ctx, []string{f.count.FullID()})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := vals[0].Value.(int64); !ok || v != 3 || vals[0].Quality != driver.Good {
		t.Fatalf("INT value %#v (%T)", vals[0], vals[0].Value)
	}
	if len(fanned) != 1 || len(fanned[0]) != 2 || fanned[0][0].ID != f.temp.FullID() {
		t.Fatalf("fan-out %+v, want the first batch's two samples once", fanned)
	}
	if s := a.IngestStats(); s.Dropped != 2 || s.Duplicates != 1 || s.Samples != 2 {
		t.Fatalf("stats %+v", s)
	}
}

func TestBatchOfDeletedGatewayIsAcked(t *testing.T) {
	a, _ := newApp(t, nil)
	ack, err := a.Batch(context.Background(), "0123456789abcdef0123456789abcdef",
		bus.Batch{Epoch: "e", Seq: 1, Samples: []bus.WireSample{{P: "01234567.0123", V: 1.0, T: 1}}})
	if err != nil || ack.Dropped != 1 {
		t.Fatalf("ack %+v err %v", ack, err)
	}
}

func TestCacheMovesOnlyForwardAndPersists(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, filepath.Join(dir, "iotos.db"))
	a, err := New(Options{Store: st, PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	f := seed(t, a)
	ctx := context.Background()
	send := func(seq uint64, v float64, ts int64) {
		if _, err := a.Batch(ctx, f.gw, bus.Batch{Epoch: "e", Seq: seq, Samples: []bus.WireSample{{P: rel(f.temp), V: v, T: ts}}}); err != nil {
			t.Fatal(err)
		}
	}
	send(1, 10, 2000)
	send(2, 5, 1000) // replayed backlog: older
	got, _ := a.CurrentValues(ctx, []string{f.temp.FullID()})
	if got[0].Value != 10.0 || got[0].TS != 2000 {
		t.Fatalf("cache %+v", got[0])
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	st.Close()

	st = openStore(t, filepath.Join(dir, "iotos.db"))
	defer st.Close()
	b, err := New(Options{Store: st, PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got, _ = b.CurrentValues(ctx, []string{f.temp.FullID()})
	if got[0].Value != 10.0 || got[0].TS != 2000 {
		t.Fatalf("after restart %+v", got[0])
	}
}

func TestDeviceTableForEngines(t *testing.T) {
	a, _ := newApp(t, nil)
	f := seed(t, a)
	ctx := context.Background()
	child, err := a.CreateDevice(ctx, admin, f.gw, DeviceInput{Name: "child", Driver: "simulator", Parent: f.dev, Config: []byte(`{"b":2}`)})
	if err != nil {
		t.Fatal(err)
	}
	idx, err := a.TableIndex(ctx, f.gw)
	if err != nil || len(idx.Devices) != 2 {
		t.Fatalf("index %+v %v", idx, err)
	}
	dt, err := a.DeviceTable(ctx, f.gw, f.dev)
	if err != nil || len(dt.Points) != 4 || dt.Version != idx.Devices[0].Version {
		t.Fatalf("device table %+v %v", dt, err)
	}
	ct, err := a.DeviceTable(ctx, f.gw, child.ID)
	if err != nil || string(ct.ParentConfig) == "" {
		t.Fatalf("child table %+v %v", ct, err)
	}
	before := idx.Devices[0].Version
	if _, err := a.UpdatePoint(ctx, admin, f.gw, f.dev, f.count.ID, f.count); err != nil {
		t.Fatal(err)
	}
	f.count.Unit = "pcs"
	if _, err := a.UpdatePoint(ctx, admin, f.gw, f.dev, f.count.ID, f.count); err != nil {
		t.Fatal(err)
	}
	idx, _ = a.TableIndex(ctx, f.gw)
	if idx.Devices[0].Version == before {
		t.Fatal("version did not change with a point")
	}
}

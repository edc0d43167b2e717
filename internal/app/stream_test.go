package app

import (
	"strings"
	"testing"

	"github.com/iotos/iotos/internal/model"
)

var (
	gwA  = strings.Repeat("a", 32)
	gwB  = strings.Repeat("b", 32)
	dev1 = "00000001"
	dev2 = "00000002"
)

func sampleOf(gw, dev, pt string, ts int64) model.Sample {
	return model.Sample{ID: gw + "." + dev + "." + pt, TS: ts, Quality: "good"}
}

func ids(s []model.Sample) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = x.ID
	}
	return out
}

func TestHubRoutesByIDAndPrefix(t *testing.T) {
	h := NewHub(HubOptions{})
	byID := h.Subscribe(StreamFilter{IDs: []string{gwA + "." + dev1 + ".0001", gwA + "." + dev1 + ".0001"}})
	byGW := h.Subscribe(StreamFilter{Gateway: gwA})
	byDev := h.Subscribe(StreamFilter{Gateway: gwA, Device: dev2})
	none := h.Subscribe(StreamFilter{})
	h.Publish([]model.Sample{
		sampleOf(gwA, dev1, "0001", 1), sampleOf(gwA, dev2, "0001", 2), sampleOf(gwB, dev1, "0001", 3),
	})
	check := func(name string, sub *Subscription, want ...string) {
		t.Helper()
		got, dropped := sub.Take()
		if dropped != 0 || strings.Join(ids(got), ",") != strings.Join(want, ",") {
			t.Fatalf("%s: got %v (dropped %d), want %v", name, ids(got), dropped, want)
		}
	}
	check("ids (listed twice, delivered once)", byID, gwA+"."+dev1+".0001")
	check("gateway", byGW, gwA+"."+dev1+".0001", gwA+"."+dev2+".0001")
	check("device", byDev, gwA+"."+dev2+".0001")
	check("empty filter", none)

	byID.Update(StreamFilter{Gateway: gwB})
	byGW.Close()
	h.Publish([]model.Sample{sampleOf(gwA, dev1, "0001", 4), sampleOf(gwB, dev2, "0002", 5)})
	check("updated", byID, gwB+"."+dev2+".0002")
	check("closed", byGW)
	if len(h.index) != 2 { // gwB and gwA.dev2
		t.Fatalf("index keeps stale keys: %v", h.index)
	}
}

func TestHubOverflowDiscardsAndCounts(t *testing.T) {
	h := NewHub(HubOptions{QueueLimit: 5, Batch: 3})
	sub := h.Subscribe(StreamFilter{Gateway: gwA})
	var batch []model.Sample
	for i := range 12 {
		batch = append(batch, sampleOf(gwA, dev1, "0001", int64(i)))
	}
	h.Publish(batch[:2])
	if sub.Ready() {
		t.Fatal("ready below the batch size")
	}
	h.Publish(batch[2:3])
	if !sub.Ready() {
		t.Fatal("not ready at the batch size")
	}
	h.Publish(batch[3:])
	if !sub.Ready() {
		t.Fatal("not ready after an overflow")
	}
	got, dropped := sub.Take()
	if len(got) != 0 || dropped != 12 {
		t.Fatalf("after overflow: %d samples, dropped %d; want 0 and 12", len(got), dropped)
	}
	h.Publish(batch[:1])
	if got, dropped = sub.Take(); len(got) != 1 || dropped != 0 {
		t.Fatalf("after recovery: %d samples, dropped %d", len(got), dropped)
	}
}

func TestHubWakesOnFirstSampleAndClose(t *testing.T) {
	h := NewHub(HubOptions{})
	sub := h.Subscribe(StreamFilter{Gateway: gwA})
	h.Publish([]model.Sample{sampleOf(gwA, dev1, "0001", 1)})
	select {
	case <-sub.Wake():
	default:
		t.Fatal("no wake-up for the first sample")
	}
	h.Close()
	<-h.Done()
	h.Publish([]model.Sample{sampleOf(gwA, dev1, "0001", 2)})
	if got, _ := sub.Take(); len(got) != 1 {
		t.Fatalf("published after close: %v", ids(got))
	}
}

func TestStreamFilterValidate(t *testing.T) {
	for _, tc := range []struct {
		f  StreamFilter
		ok bool
	}{
		{StreamFilter{}, true},
		{StreamFilter{IDs: []string{gwA + "." + dev1 + ".0001"}}, true},
		{StreamFilter{Gateway: gwA, Device: dev1}, true},
		{StreamFilter{IDs: []string{"x"}}, false},
		{StreamFilter{Gateway: "x"}, false},
		{StreamFilter{Device: dev1}, false},
		{StreamFilter{Gateway: gwA, Device: "x"}, false},
		{StreamFilter{Gateway: gwA, IDs: []string{gwA + "." + dev1 + ".0001"}}, false},
	} {
		if err := tc.f.Validate(); (err == nil) != tc.ok {
			t.Errorf("%+v: err %v, want ok=%v", tc.f, err, tc.ok)
		}
	}
}

func TestAttachStreamClosesWithApp(t *testing.T) {
	a, _ := newApp(t, nil)
	h := NewHub(HubOptions{})
	a.AttachStream(h)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	<-h.Done()
}

package opcua

import (
	"context"
	"errors"
	"time"

	"github.com/gopcua/opcua"
	"github.com/gopcua/opcua/ua"

	"github.com/iotos/iotos/pkg/driver"
)

// notifyQueue is how many publish results may wait for the consumer.
const notifyQueue = 64

// defaultPublishInterval publishes the changes of points without an
// interval (push only: sampled as fast as the server allows).
const defaultPublishInterval = 100 * time.Millisecond

// keepAlive is about how often an idle subscription still answers a
// publish, so the publish loop never waits long on a quiet server.
const keepAlive = 5 * time.Second

// subscribe creates one subscription for the link with a monitored item per
// subscribe-mode point, each sampled at its point's interval, and starts the
// consumer that pushes their changes to the host. The subscription publishes
// at the shortest interval, so no item waits longer than its own. (One
// subscription, not one per interval: gopcua's Subscribe can block behind a
// pending publish once several subscriptions exist.) A node the server
// refuses makes that point's sample Bad; the others are unaffected.
func (d *OPCUA) subscribe(ctx context.Context, l *link) error {
	if len(d.subscribed) == 0 {
		close(l.consumerDone)
		return nil
	}
	what := "device " + d.devID + " subscribe"
	notify := make(chan *opcua.PublishNotificationData, notifyQueue)
	publish := d.publishInterval()
	sub, err := l.client.Subscribe(ctx, &opcua.SubscriptionParameters{
		Interval:          publish,
		MaxKeepAliveCount: uint32(max(1, keepAlive/publish)),
	}, notify)
	if err != nil {
		close(l.consumerDone)
		return requestError(ctx, what, err)
	}
	l.subs = append(l.subs, sub)
	cctx, cancel := context.WithCancel(context.Background())
	l.stopConsumer = cancel
	go d.consume(cctx, l, notify)
	return d.monitor(ctx, sub, what)
}

// publishInterval is the shortest interval of the subscribe-mode points.
func (d *OPCUA) publishInterval() time.Duration {
	var out time.Duration
	for _, t := range d.subscribed {
		if iv := t.point.Interval; iv > 0 && (out == 0 || iv < out) {
			out = iv
		}
	}
	if out == 0 {
		return defaultPublishInterval
	}
	return out
}

// monitor creates the monitored items; the client handle of each is the
// point's index in d.subscribed.
func (d *OPCUA) monitor(ctx context.Context, sub *opcua.Subscription, what string) error {
	items := make([]*ua.MonitoredItemCreateRequest, len(d.subscribed))
	for handle, t := range d.subscribed {
		items[handle] = opcua.NewMonitoredItemCreateRequestWithDefaults(t.node, ua.AttributeIDValue, uint32(handle))
		items[handle].RequestedParameters.SamplingInterval = float64(t.point.Interval) / float64(time.Millisecond)
	}
	resp, err := sub.Monitor(ctx, ua.TimestampsToReturnBoth, items...)
	if err != nil {
		return requestError(ctx, what, err)
	}
	if len(resp.Results) != len(items) {
		return driver.Errorf(driver.CodeNetError, "%s: %d results for %d monitored items", what, len(resp.Results), len(items))
	}
	d.reportRefused(d.subscribed, resp.Results)
	return nil
}

// reportRefused pushes a Bad sample for every monitored item the server
// refused (an unknown node, say), so the point shows why it gets no values.
func (d *OPCUA) reportRefused(group []*tag, results []*ua.MonitoredItemCreateResult) {
	var bad []driver.Sample
	for i, r := range results {
		if isBad(r.StatusCode) {
			t := group[i]
			d.host.Logger().Warn("monitored item refused", "point", t.point.ID, "node", t.node.String(), "status", r.StatusCode.Error())
			bad = append(bad, driver.BadSample(t.point.ID, statusCode(r.StatusCode)))
		}
	}
	if len(bad) > 0 {
		_ = d.host.SetValues(bad)
	}
}

// consume turns publish results into samples pushed to the host, until the
// link is closed. A lost subscription or session marks the link broken and
// wakes the watchdog.
func (d *OPCUA) consume(ctx context.Context, l *link, notify <-chan *opcua.PublishNotificationData) {
	defer close(l.consumerDone)
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-notify:
			if n == nil {
				continue
			}
			if n.Error != nil {
				d.publishFailed(l, n.Error)
				continue
			}
			d.notified(l, n.Value)
		}
	}
}

func (d *OPCUA) notified(l *link, v any) {
	switch x := v.(type) {
	case *ua.DataChangeNotification:
		d.dataChanged(x.MonitoredItems)
	case *ua.StatusChangeNotification:
		// The server reports a subscription it dropped (its lifetime
		// expired, say): nothing more will come on it.
		if isBad(x.Status) {
			d.host.Logger().Warn("subscription ended by the server", "status", x.Status.Error())
			l.broken.Store(true)
			d.kick()
		}
	}
}

func (d *OPCUA) dataChanged(items []*ua.MonitoredItemNotification) {
	samples := make([]driver.Sample, 0, len(items))
	for _, it := range items {
		if it == nil || int(it.ClientHandle) >= len(d.subscribed) {
			continue
		}
		s := d.sample(d.subscribed[it.ClientHandle], it.Value)
		d.cache.put(s)
		samples = append(samples, s)
	}
	if len(samples) > 0 {
		if err := d.host.SetValues(samples); err != nil {
			d.host.Logger().Warn("pushing subscription values", "err", err)
		}
	}
}

// publishFailed reacts to a failed publish: the statuses that mean the
// server forgot the subscription or the session break the link, since no
// later publish can succeed on it.
func (d *OPCUA) publishFailed(l *link, err error) {
	d.host.Logger().Warn("subscription publish failed", "err", err)
	var s ua.StatusCode
	if !errors.As(err, &s) || lostSubscription(s) {
		l.broken.Store(true)
	}
	d.kick()
}

func lostSubscription(s ua.StatusCode) bool {
	switch s {
	case ua.StatusBadSubscriptionIDInvalid, ua.StatusBadSessionIDInvalid, ua.StatusBadSessionClosed,
		ua.StatusBadSessionNotActivated, ua.StatusBadNoSubscription:
		return true
	}
	return false
}

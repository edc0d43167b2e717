package opcua

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gopcua/opcua"
	"github.com/gopcua/opcua/ua"

	"github.com/iotos/iotos/pkg/driver"
)

// link is one session with the server and the subscriptions made on it.
// When it breaks it is closed whole and replaced; nothing in it is repaired.
type link struct {
	client *opcua.Client
	subs   []*opcua.Subscription
	broken atomic.Bool // a subscription or the session was lost

	types sync.Map // point ID → ua.TypeID of its node, learnt by the first write

	stopConsumer context.CancelFunc
	consumerDone chan struct{}
}

// open connects a new session and creates the subscriptions.
func (d *OPCUA) open(ctx context.Context) (*link, error) {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.timeout)
	defer cancel()
	c, err := d.dial(ctx)
	if err != nil {
		return nil, err
	}
	l := &link{client: c, consumerDone: make(chan struct{})}
	if err := d.subscribe(ctx, l); err != nil {
		l.close(d.cfg.timeout)
		return nil, err
	}
	return l, nil
}

// dial picks the endpoint with security mode None and opens a session on
// it, anonymous or with the configured user name.
func (d *OPCUA) dial(ctx context.Context) (*opcua.Client, error) {
	what := "device " + d.devID + " connect " + d.cfg.endpoint
	eps, err := opcua.GetEndpoints(ctx, d.cfg.endpoint)
	if err != nil {
		return nil, requestError(ctx, what, err)
	}
	ep, err := opcua.SelectEndpoint(eps, ua.SecurityPolicyURINone, ua.MessageSecurityModeNone)
	if err != nil {
		return nil, driver.Errorf(driver.CodeNetError, "%s: the server offers no endpoint with security mode None", what)
	}
	c, err := opcua.NewClient(d.cfg.endpoint, d.clientOptions(ep)...)
	if err != nil {
		return nil, driver.Errorf(driver.CodeArgError, "%s: %v", what, err)
	}
	if err := c.Connect(ctx); err != nil {
		_ = c.Close(context.Background())
		return nil, requestError(ctx, what, err)
	}
	return c, nil
}

// clientOptions configures a client for ep. The library's reconnect is off:
// the watchdog replaces a broken client instead.
func (d *OPCUA) clientOptions(ep *ua.EndpointDescription) []opcua.Option {
	opts := []opcua.Option{
		opcua.ApplicationName("iotos"),
		opcua.SecurityPolicy(ua.SecurityPolicyURINone),
		opcua.SecurityMode(ua.MessageSecurityModeNone),
		opcua.AutoReconnect(false),
		opcua.RequestTimeout(d.cfg.timeout),
		opcua.DialTimeout(d.cfg.timeout),
	}
	if d.cfg.username != "" {
		return append(opts,
			opcua.AuthUsername(d.cfg.username, d.cfg.password),
			opcua.SecurityFromEndpoint(ep, ua.UserTokenTypeUserName))
	}
	return append(opts, opcua.AuthAnonymous(), opcua.SecurityFromEndpoint(ep, ua.UserTokenTypeAnonymous))
}

// close stops the subscription consumer and closes the session, waiting at
// most timeout for a server that may already be gone.
func (l *link) close(timeout time.Duration) {
	if l.stopConsumer != nil {
		l.stopConsumer()
		<-l.consumerDone
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	_ = l.client.Close(ctx)
}

// healthy reports whether the session still answers: the client believes it
// is connected, no subscription was lost, and the server reads its own state.
func (l *link) healthy(ctx context.Context, timeout time.Duration) bool {
	if l.broken.Load() || l.client.State() != opcua.Connected {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req := &ua.ReadRequest{NodesToRead: []*ua.ReadValueID{{
		NodeID:      ua.NewNumericNodeID(0, serverStateNode),
		AttributeID: ua.AttributeIDValue,
	}}}
	resp, err := l.client.Read(ctx, req)
	return err == nil && len(resp.Results) == 1 && !isBad(resp.Results[0].Status)
}

// serverStateNode is Server_ServerStatus_State (i=2259), which every server
// has: reading it is the cheapest proof that the session works.
const serverStateNode = 2259

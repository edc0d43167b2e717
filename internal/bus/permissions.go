package bus

import (
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// responseTTL bounds how long an engine may answer a command it received;
// commands carry their own, shorter, timeouts.
const responseTTL = 5 * time.Minute

// gatewayPermissions are a gateway connection's rights: publish its own up
// and req subjects, receive its own commands and replies, and answer the
// requests it received (allow_responses). Everything else — other gateways,
// ">", "_INBOX.>", "$SYS.>" — is refused by not being allowed.
func gatewayPermissions(gw string) *server.Permissions {
	return &server.Permissions{
		Publish: &server.SubjectPermission{
			Allow: []string{subjectRoot + gw + ".up.>", subjectRoot + gw + ".req.>"},
		},
		Subscribe: &server.SubjectPermission{
			Allow: []string{subjectRoot + gw + ".cmd.>", InboxPrefix(gw) + ".>"},
		},
		Response: &server.ResponsePermission{MaxMsgs: 1, Expires: responseTTL},
	}
}

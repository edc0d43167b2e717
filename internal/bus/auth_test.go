package bus

import "testing"

// A login whose key was checked just before the key changed must not slip
// in after DisconnectGateway collected the gateway's connections.
func TestLoginRacingRevocationIsRefused(t *testing.T) {
	a := newAuthenticator(newKeyring().check, quietLogger())
	gen := a.generation(gwA)
	if cids := a.revoke(gwA); len(cids) != 0 {
		t.Fatalf("revoke of an unknown gateway returned %v", cids)
	}
	if a.track(gwA, gen, 1) {
		t.Fatal("login checked before the revocation was tracked")
	}
	if !a.track(gwA, a.generation(gwA), 2) {
		t.Fatal("login checked after the revocation was refused")
	}
	if cids := a.revoke(gwA); len(cids) != 1 || cids[0] != 2 {
		t.Fatalf("revoke returned %v, want [2]", cids)
	}
}

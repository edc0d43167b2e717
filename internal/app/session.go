package app

import (
	"context"
	"fmt"
	"time"

	"github.com/iotos/iotos/internal/auth"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/store"
)

// Login checks a user's password and opens a session. remote is the client
// address used, with the name, as the throttle key; repeated failures are
// refused with 107 (HTTP 429) for a minute.
func (a *App) Login(ctx context.Context, name, password, remote string) (string, store.User, error) {
	key := auth.ThrottleKey(name, remote)
	if err := a.throttle.Allow(key); err != nil {
		return "", store.User{}, err
	}
	u, err := a.checkLogin(ctx, name, password)
	if err != nil {
		if codes.Of(err) == codes.AccountNotRegister {
			a.throttle.Fail(key)
		}
		return "", store.User{}, err
	}
	a.throttle.Reset(key)
	token, hash := auth.NewToken()
	if err := a.store.CreateToken(ctx, hash, u.ID, a.now().Add(a.tokenTTL)); err != nil {
		return "", store.User{}, fmt.Errorf("session for %s: %w", name, err)
	}
	return token, u, nil
}

var errBadLogin = codes.New(codes.AccountNotRegister, "wrong user name or password")

func (a *App) checkLogin(ctx context.Context, name, password string) (store.User, error) {
	u, err := a.store.GetUserByName(ctx, name)
	if err != nil {
		if codes.Of(err) == codes.AccountNotRegister {
			return store.User{}, errBadLogin
		}
		return store.User{}, err
	}
	if err := auth.CheckPassword(u.PasswordHash, password); err != nil {
		if codes.Of(err) == codes.AccountNotRegister {
			return store.User{}, errBadLogin
		}
		return store.User{}, err
	}
	return u, nil
}

// Authenticate returns the user of a live session token (107 otherwise).
func (a *App) Authenticate(ctx context.Context, token string) (store.User, error) {
	if token == "" {
		return store.User{}, codes.New(codes.AccountNotRegister, "not logged in")
	}
	u, err := a.store.LookupToken(ctx, auth.HashToken(token), a.now())
	if err != nil {
		if codes.Of(err) == codes.AccountNotRegister {
			return store.User{}, codes.New(codes.AccountNotRegister, "session missing or expired")
		}
		return store.User{}, err
	}
	return u, nil
}

// Logout ends a session.
func (a *App) Logout(ctx context.Context, token string) error {
	return a.store.DeleteToken(ctx, auth.HashToken(token))
}

// TokenTTL is how long a new session lasts.
func (a *App) TokenTTL() time.Duration { return a.tokenTTL }

package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	osuser "os/user"
	"strings"

	"github.com/redis/go-redis/v9"

	"guanjia"
	"guanjia/account"
	"guanjia/api"
	"guanjia/internal/redisconn"
)

// Account administration from the command line: the same changes as the
// admin API (api/useradmin.go), audited with "cli" as the actor. A change
// that ends sessions is announced to the API replicas through Redis when
// REDIS_URL is set; without it they notice within GUANJIA_SESSION_RECHECK.

func (m *Main) userCommand(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return guanjia.Errorf(guanjia.EINVALID, "usage: guanjia user add|disable|enable|set-role|passwd|unlock --username U …")
	}
	switch args[0] {
	case "add":
		return m.userAdd(ctx, args[1:])
	case "disable", "enable":
		return m.userDisable(ctx, args[0], args[1:])
	case "set-role":
		return m.userSetRole(ctx, args[1:])
	case "passwd":
		return m.userPasswd(ctx, args[1:])
	case "unlock":
		return m.userUnlock(ctx, args[1:])
	}
	return guanjia.Errorf(guanjia.EINVALID, "usage: guanjia user add|disable|enable|set-role|passwd|unlock --username U …")
}

// cliActor names the operator in the audit trail: "cli" and the OS account.
func cliActor() guanjia.Actor {
	if u, err := osuser.Current(); err == nil {
		return guanjia.Actor{Name: "cli:" + u.Username}
	}
	return guanjia.Actor{Name: "cli"}
}

// userFlags parses --username and the command's own flags.
func userFlags(name string, args []string, more func(fs *flag.FlagSet)) (string, *flag.FlagSet, error) {
	fs := flag.NewFlagSet("user "+name, flag.ContinueOnError)
	username := fs.String("username", "", "login name")
	if more != nil {
		more(fs)
	}
	if err := fs.Parse(args); err != nil {
		return "", nil, err
	}
	if *username == "" {
		return "", nil, guanjia.FieldError(guanjia.EINVALID, "username", "username is required")
	}
	return *username, fs, nil
}

// openForUsers opens the database with the secret that decrypts users' phone numbers.
func (m *Main) openForUsers(ctx context.Context) error {
	if m.Config.Secret == "" && m.Config.DatabaseURL == "" {
		if err := m.embeddedSecret(); err != nil { // the all-in-one's secret
			return err
		}
	}
	if m.Config.Secret == "" {
		return guanjia.Errorf(guanjia.EINVALID, "GUANJIA_SECRET is required: it decrypts the personal data of accounts")
	}
	return m.openDB(ctx)
}

// changeUser applies ch to username's account and tells the API replicas.
func (m *Main) changeUser(ctx context.Context, username string, ch guanjia.UserChange) (*guanjia.User, error) {
	if err := m.openForUsers(ctx); err != nil {
		return nil, err
	}
	u, err := m.DB.Users.FindUserByUsername(ctx, username)
	if err != nil {
		return nil, err
	}
	ch.UserID, ch.By = u.ID, cliActor()
	if u, err = m.DB.Users.ChangeUser(ctx, ch); err != nil {
		return nil, err
	}
	m.announce(ctx, u.ID)
	return u, nil
}

// announce tells the API replicas that a user's account changed, when Redis
// is reachable; otherwise they notice within GUANJIA_SESSION_RECHECK.
func (m *Main) announce(ctx context.Context, userID int64) {
	rdb, err := m.cliRedis()
	if err != nil || rdb == nil {
		return
	}
	defer rdb.Close()
	if err := api.PublishUserChanged(ctx, rdb, userID); err != nil {
		fmt.Fprintf(m.Out, "note: could not tell the API replicas through Redis (%v); they notice within %s\n", err, m.Config.SessionRecheck)
	}
}

// cliRedis connects to REDIS_URL; nil without one.
func (m *Main) cliRedis() (redis.UniversalClient, error) {
	if m.Config.RedisURL == "" {
		return nil, nil
	}
	opt, err := redisconn.Parse(m.Config.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	return redisconn.Client(opt), nil
}

// userAdd creates an account by the rules of the administrators' API
// (account.Service.Add), citizens included.
func (m *Main) userAdd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	username := fs.String("username", "", "login name")
	password := fs.String("password", "", "password (8+ characters)")
	role := fs.String("role", "", "citizen, agent, dispatcher, crew, unit_admin, department, grid_manager, mediator or admin")
	unit := fs.String("unit", "", "unit code (crew, unit_admin, department); a mediator's committee code")
	grid := fs.String("grid", "", "grid id a crew member or grid manager patrols")
	name := fs.String("name", "", "display name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	nu := account.NewUser{Username: *username, Name: *name, Role: guanjia.Role(*role), UnitCode: *unit, GridID: *grid, Password: *password}
	if err := nu.Check(); err != nil { // before the database is opened (and made)
		return err
	}
	if err := m.openDB(ctx); err != nil {
		return err
	}
	u, err := account.NewService(m.DB.Users, nil).Add(ctx, cliActor(), nu)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Out, "user %s added (id %d, role %s)\n", u.Username, u.ID, u.Role)
	return nil
}

func (m *Main) userDisable(ctx context.Context, verb string, args []string) error {
	username, _, err := userFlags(verb, args, nil)
	if err != nil {
		return err
	}
	disabled := verb == "disable"
	if _, err := m.changeUser(ctx, username, guanjia.UserChange{Disabled: &disabled}); err != nil {
		return err
	}
	fmt.Fprintf(m.Out, "user %s %sd\n", username, verb)
	return nil
}

func (m *Main) userSetRole(ctx context.Context, args []string) error {
	var role, unit, grid *string
	username, fs, err := userFlags("set-role", args, func(fs *flag.FlagSet) {
		role = fs.String("role", "", "citizen, agent, dispatcher, crew, unit_admin, department or admin")
		unit = fs.String("unit", "", "unit code (crew, unit_admin, department); --unit= clears it")
		grid = fs.String("grid", "", "grid id a crew member patrols; --grid= clears it")
	})
	if err != nil {
		return err
	}
	r := guanjia.Role(*role)
	if !r.Valid() {
		return guanjia.FieldError(guanjia.EINVALID, "role", "unknown role %q", *role)
	}
	ch := guanjia.UserChange{Role: &r}
	fs.Visit(func(f *flag.Flag) { // only the flags given change
		switch f.Name {
		case "unit":
			ch.UnitCode = unit
		case "grid":
			ch.GridID = grid
		}
	})
	u, err := m.changeUser(ctx, username, ch)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Out, "user %s: role %s, unit %q, grid %q\n", u.Username, u.Role, u.UnitCode, u.GridID)
	return nil
}

func (m *Main) userPasswd(ctx context.Context, args []string) error {
	var password *string
	username, _, err := userFlags("passwd", args, func(fs *flag.FlagSet) {
		password = fs.String("password", "", "the new password (8+ characters); without it, the first line of stdin")
	})
	if err != nil {
		return err
	}
	p := *password
	if p == "" { // not on the command line, where ps and the shell history would show it
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return guanjia.FieldError(guanjia.EINVALID, "password", "give the new password with --password or on stdin")
		}
		p = strings.TrimRight(line, "\r\n")
	}
	hash, err := account.HashPassword(p)
	if err != nil {
		return err
	}
	if _, err := m.changeUser(ctx, username, guanjia.UserChange{PasswordHash: &hash, PasswordEvent: guanjia.UserPasswordReset}); err != nil {
		return err
	}
	fmt.Fprintf(m.Out, "user %s: new password set, sessions ended\n", username)
	return nil
}

func (m *Main) userUnlock(ctx context.Context, args []string) error {
	username, _, err := userFlags("unlock", args, nil)
	if err != nil {
		return err
	}
	rdb, err := m.cliRedis()
	if err != nil {
		return err
	}
	if rdb == nil {
		return guanjia.Errorf(guanjia.EINVALID, "REDIS_URL is required: sign-in locks are kept in Redis")
	}
	defer rdb.Close()
	if err := m.openForUsers(ctx); err != nil {
		return err
	}
	u, err := m.DB.Users.FindUserByUsername(ctx, username)
	if err != nil {
		return err
	}
	if err := api.UnlockAccount(ctx, rdb, u.Username); err != nil {
		return fmt.Errorf("unlock %s: %w", u.Username, err)
	}
	if err := m.DB.Users.AddUserAudit(ctx, &guanjia.UserAudit{By: cliActor(), UserID: u.ID, Event: guanjia.UserUnlocked}); err != nil {
		return err
	}
	fmt.Fprintf(m.Out, "user %s unlocked\n", u.Username)
	return nil
}

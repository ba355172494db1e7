package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/i18n"
)

const userUsage = `usage:
  dealpath user add USERNAME [--role rep|manager|admin] [--team NAME] [--name DISPLAY] [--email E] [--password P | --password-stdin]
  dealpath user list
  dealpath user passwd USERNAME [--password P | --password-stdin]
  dealpath user disable USERNAME
  dealpath user enable USERNAME
Without a password flag, add and passwd generate one and print it once.`

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, userUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("user "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, userUsage) }
	var dbf dbFlags
	dbf.register(fs)
	role := fs.String("role", crm.RoleRep, "role: rep, manager or admin")
	team := fs.String("team", "", "team name (created if it does not exist)")
	name := fs.String("name", "", "display name")
	email := fs.String("email", "", "email address")
	lang := fs.String("lang", "zh-CN", "language: zh-CN or en")
	password := fs.String("password", "", "password (visible in the process list; prefer --password-stdin)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	sub := args[0]
	positional, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return err
	}
	readPassword := func() (string, bool, error) {
		switch {
		case *pwStdin:
			line, err := bufio.NewReader(os.Stdin).ReadString('\n')
			if err != nil && !errors.Is(err, io.EOF) {
				return "", false, err
			}
			return strings.TrimRight(line, "\r\n"), false, nil
		case *password != "":
			return *password, false, nil
		}
		return crm.RandomSecret(12), true, nil
	}
	needName := func() (string, error) {
		if len(positional) != 1 {
			fmt.Fprintln(stderr, userUsage)
			return "", errUsage
		}
		return positional[0], nil
	}

	db, svc, err := dbf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "add":
		username, err := needName()
		if err != nil {
			return err
		}
		pw, generated, err := readPassword()
		if err != nil {
			return err
		}
		in := crm.UserInput{Username: username, Password: pw, DisplayName: *name, Email: *email, Role: *role, Language: *lang}
		if *team != "" {
			t, err := findOrCreateTeam(ctx, svc, *team)
			if err != nil {
				return cliError(err)
			}
			in.TeamID = &t.ID
		}
		u, err := svc.CreateUser(ctx, crm.SystemActor, in)
		if err != nil {
			return cliError(err)
		}
		fmt.Fprintf(stdout, "created user %s (id %d, role %s)\n", u.Username, u.ID, u.Role)
		if generated {
			fmt.Fprintf(stdout, "password: %s\n", pw)
		}
	case "list":
		users, err := svc.Users(ctx, crm.SystemActor, crm.UserFilter{IncludeDisabled: true})
		if err != nil {
			return cliError(err)
		}
		teams, err := svc.Teams(ctx, crm.SystemActor)
		if err != nil {
			return cliError(err)
		}
		teamName := map[int64]string{}
		for _, t := range teams {
			teamName[t.ID] = t.Name
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tUSERNAME\tNAME\tROLE\tTEAM\tSTATUS")
		for _, u := range users {
			tn, status := "-", "active"
			if u.TeamID != nil {
				tn = teamName[*u.TeamID]
			}
			if u.Disabled {
				status = "disabled"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Username, u.DisplayName, u.Role, tn, status)
		}
		return tw.Flush()
	case "passwd":
		username, err := needName()
		if err != nil {
			return err
		}
		pw, generated, err := readPassword()
		if err != nil {
			return err
		}
		if err := svc.SetPassword(ctx, username, pw); err != nil {
			return cliError(err)
		}
		fmt.Fprintf(stdout, "password of %s changed; its sessions were ended\n", username)
		if generated {
			fmt.Fprintf(stdout, "password: %s\n", pw)
		}
	case "disable", "enable":
		username, err := needName()
		if err != nil {
			return err
		}
		if err := svc.SetDisabled(ctx, username, sub == "disable"); err != nil {
			return cliError(err)
		}
		fmt.Fprintf(stdout, "user %s %sd\n", username, sub)
	default:
		fmt.Fprintln(stderr, userUsage)
		return errUsage
	}
	return nil
}

func findOrCreateTeam(ctx context.Context, svc *crm.Service, name string) (*crm.Team, error) {
	teams, err := svc.Teams(ctx, crm.SystemActor)
	if err != nil {
		return nil, err
	}
	for _, t := range teams {
		if t.Name == name {
			return t, nil
		}
	}
	return svc.CreateTeam(ctx, crm.SystemActor, crm.TeamInput{Name: name})
}

// cliError renders a domain error in English, with its field messages.
func cliError(err error) error {
	var de *crm.Error
	if !errors.As(err, &de) {
		return err
	}
	msg := i18n.T(i18n.EN, de.Message.Key, de.Message.Args...)
	fields := make([]string, 0, len(de.Fields))
	for f, m := range de.Fields {
		fields = append(fields, fmt.Sprintf("%s: %s", f, i18n.T(i18n.EN, m.Key, m.Args...)))
	}
	sort.Strings(fields)
	if len(fields) > 0 {
		msg += " " + strings.Join(fields, "; ")
	}
	return errors.New(msg)
}

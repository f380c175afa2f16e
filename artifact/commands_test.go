package artifact

import (
	"testing"

	"github.com/dbaf/dbaf/db"
)

// Every line carries the run's global flags, shell-quoted, and the
// artifact where the command clones again.
func TestCommandsCarryTheRunsFlags(t *testing.T) {
	c := Commands{Profile: "team dev", EndpointURL: "http://127.0.0.1:4566", Config: "my dir/a.ini"}.In("eu-west-1")
	for _, tc := range []struct{ got, want string }{
		{c.Teardown("s1"), "dbaf --profile 'team dev' --region eu-west-1 --endpoint-url http://127.0.0.1:4566 teardown s1 --yes"},
		{c.Resume("s1"), "dbaf --profile 'team dev' --region eu-west-1 --endpoint-url http://127.0.0.1:4566 clone --name s1 --config 'my dir/a.ini'"},
		{c.ResumeReset("s1"), c.Resume("s1") + " --reset-password"},
		{c.Reset("s1"), "dbaf --profile 'team dev' --region eu-west-1 --endpoint-url http://127.0.0.1:4566 reset s1 --config 'my dir/a.ini'"},
		{c.Connect("s1"), "dbaf --profile 'team dev' --region eu-west-1 --endpoint-url http://127.0.0.1:4566 connect s1"},
		{c.Secret("eu-west-1", "arn:aws:secretsmanager:eu-west-1:1:secret:rds!cluster-x"),
			"aws secretsmanager get-secret-value --profile 'team dev' --endpoint-url http://127.0.0.1:4566 --region eu-west-1 --secret-id 'arn:aws:secretsmanager:eu-west-1:1:secret:rds!cluster-x' --query SecretString --output text"},
		// --region given wins over the region acted in.
		{Commands{Region: "us-east-1"}.In("eu-west-1").Teardown("s"), "dbaf --region us-east-1 teardown s --yes"},
		{Commands{Sandbox: true, Image: "db:1", CABundle: "/x/ca.pem"}.Resume("s"), "dbaf --sandbox --ca-bundle /x/ca.pem clone --name s --image db:1"},
		// Inside the artifact image: run the image again; against the
		// sandbox, the host's dbaf reads it.
		{Commands{InImage: "reg.example/db:7"}.Resume("s"), "docker run --rm -it -v ~/.aws:/root/.aws:ro -e AWS_PROFILE reg.example/db:7 clone --name s"},
		{Commands{InImage: "reg.example/db:7"}.Teardown("s"), "docker run --rm -it -v ~/.aws:/root/.aws:ro -e AWS_PROFILE reg.example/db:7 teardown s --yes"},
		{Commands{InImage: "reg.example/db:7", Sandbox: true}.Resume("s"), "dbaf --sandbox clone --name s --image reg.example/db:7"},
		// An endpoint of its own (the sandbox's, on this machine): the
		// container shares the host's network to reach it.
		{Commands{InImage: "db:7", EndpointURL: "http://127.0.0.1:4566"}.Teardown("s"),
			"docker run --rm -it --network host -v ~/.aws:/root/.aws:ro -e AWS_PROFILE db:7 --endpoint-url http://127.0.0.1:4566 teardown s --yes"},
		{Commands{Sandbox: true}.Secret("eu-west-1", "arn"), `(eval "$(dbaf sandbox env)" && aws secretsmanager get-secret-value --region eu-west-1 --secret-id arn --query SecretString --output text)`},
		{Commands{}.SandboxEnv("/tmp/my state"), `eval "$(dbaf sandbox env --state-dir '/tmp/my state')"`},
		{ShellQuote("it's"), `'it'\''s'`},
		{ShellQuote(""), `''`},
	} {
		if tc.got != tc.want {
			t.Errorf("got  %s\nwant %s", tc.got, tc.want)
		}
	}
}

// Printed in the artifact image against AWS, the client lines save the
// image's CA bundle on the host first and name that file; elsewhere, or
// with a CA file the user gave, they name the CA file as it is.
func TestConnectionFromTheImageSavesTheBundleOnTheHost(t *testing.T) {
	pg := db.Target{Engine: db.EnginePostgres, Host: "c1.rds.example", Port: 5432, User: "postgres"}
	my := db.Target{Engine: db.EngineMySQL, Host: "c1.rds.example", Port: 3306, User: "admin"}
	given, err := db.NewCA(db.RDSBundle(), "/x/my ca.pem", "/x/my ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	cached := db.BuiltinCA().At("/root/.cache/dbaf/rds-ca-0123.pem")
	save := "mkdir -p ~/.cache/dbaf && docker run --rm 'reg.example/db:7 x' ca-bundle > ~/.cache/dbaf/rds-ca.pem && "
	img := Commands{InImage: "reg.example/db:7 x"}
	withCA := func(t db.Target, ca *db.CA) db.Target { t.CA = ca; return t }
	for _, tc := range []struct{ got, want string }{
		{img.Connection(withCA(pg, cached)), save + `psql "host=c1.rds.example port=5432 user=postgres dbname=postgres sslmode=verify-full sslrootcert=$HOME/.cache/dbaf/rds-ca.pem"`},
		{img.Connection(pg), save + `psql "host=c1.rds.example port=5432 user=postgres dbname=postgres sslmode=verify-full sslrootcert=$HOME/.cache/dbaf/rds-ca.pem"`},
		{img.Connection(withCA(my, cached)), save + `mysql --ssl "--ssl-ca=$HOME/.cache/dbaf/rds-ca.pem" --ssl-verify-server-cert -h c1.rds.example -P 3306 -u admin -p`},
		// A host name needing quotes: "$HOME" expands, nothing else does.
		{img.Connection(withCA(db.Target{Engine: db.EngineMySQL, Host: "a$b", Port: 3306, User: "it's"}, cached)),
			save + `mysql --ssl "--ssl-ca=$HOME/.cache/dbaf/rds-ca.pem" --ssl-verify-server-cert -h 'a$b' -P 3306 -u 'it'\''s' -p`},
		{quoteWithHome(`x=$1 y=$HOME/z`), `'x=$1 y='"$HOME"/z`},
		// The user's CA file, the host's dbaf, the sandbox: as it is.
		{img.Connection(withCA(pg, given)), ConnectionString(withCA(pg, given))},
		{Commands{}.Connection(withCA(pg, cached)), `psql 'host=c1.rds.example port=5432 user=postgres dbname=postgres sslmode=verify-full sslrootcert=/root/.cache/dbaf/rds-ca-0123.pem'`},
		{Commands{InImage: "db:7", Sandbox: true}.Connection(withCA(pg, cached)), ConnectionString(withCA(pg, cached))},
	} {
		if tc.got != tc.want {
			t.Errorf("got  %s\nwant %s", tc.got, tc.want)
		}
	}
}

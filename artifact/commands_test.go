package artifact

import "testing"

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

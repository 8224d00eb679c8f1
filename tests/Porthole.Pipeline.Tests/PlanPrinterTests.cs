using static Porthole.Pipeline.Tests.Support.Configs;

namespace Porthole.Pipeline.Tests;

public sealed class PlanPrinterTests
{
    [Fact]
    public void Prints_workflows_jobs_and_steps_of_a_circleci_plan()
    {
        var plan = Planned(ReadCircle(
            "version: 2",
            "jobs:",
            "  build:",
            "    docker: [{image: cimg/node:20.1}]",
            "    steps:",
            "      - checkout",
            "      - run: npm ci",
            "  test:",
            "    parallelism: 3",
            "    working_directory: ~/app",
            "    environment: {NODE_ENV: test}",
            "    steps:",
            "      - run:",
            "          name: Unit tests",
            "          command: |",
            "            npm test",
            "            npm run lint",
            "          when: always",
            "          no_output_timeout: 1h30m",
            "      - run: {command: ./server, background: true, shell: /bin/sh}",
            "workflows:",
            "  ci:",
            "    jobs:",
            "      - build",
            "      - test: {requires: [build]}"));

        Assert.Equal(
            """
            CircleCI config .circleci/config.yml
            workflow: ci
              job: build
                parallelism: 1 (1 node)
                executor: docker cimg/node:20.1
                working directory: ~/project
                steps:
                  1. Checkout code [checkout, when on_success, shell /bin/bash -eo pipefail]
                  2. npm ci [run, when on_success, shell /bin/bash -eo pipefail]
                     $ npm ci
              job: test
                requires: build
                parallelism: 3 (3 nodes)
                executor: shell
                working directory: ~/app
                environment:
                  NODE_ENV=test
                steps:
                  1. Unit tests [run, when always, no output timeout 1h30m, shell /bin/bash -eo pipefail]
                     $ npm test …
                  2. ./server [run, when on_success, background, shell /bin/sh]
                     $ ./server

            """,
            PlanPrinter.Print(plan));
    }

    [Fact]
    public void Prints_every_docker_image_and_the_remote_docker_step_but_never_a_registry_password()
    {
        var plan = Planned(ReadCircle(
            "version: 2",
            "jobs:",
            "  build:",
            "    docker:",
            "      - image: cimg/ruby:3.2",
            "        user: circleci",
            "        auth: {username: $DOCKER_USER, password: s3cret-Pa55}",
            "        environment: {RAILS_ENV: test}",
            "      - image: postgres:15",
            "        name: db",
            "        command: postgres -c 'fsync=off'",
            "        environment: {POSTGRES_PASSWORD: pw}",
            "      - image: redis",
            "    steps:",
            "      - setup_remote_docker",
            "      - run: docker build ."));

        var text = PlanPrinter.Print(plan);

        Assert.Equal(
            """
            CircleCI config .circleci/config.yml
            workflow: workflow
              job: build
                parallelism: 1 (1 node)
                executor: docker cimg/ruby:3.2 + postgres:15 (db) + redis
                  cimg/ruby:3.2 [user circleci, auth: $DOCKER_USER]
                  postgres:15 (db) [command postgres -c fsync=off]
                     POSTGRES_PASSWORD=pw
                working directory: ~/project
                environment:
                  RAILS_ENV=test
                steps:
                  1. Setup a remote Docker engine [setup_remote_docker, when on_success, shell /bin/bash -eo pipefail]
                  2. docker build . [run, when on_success, shell /bin/bash -eo pipefail]
                     $ docker build .

            """,
            text);
        Assert.DoesNotContain("s3cret-Pa55", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Prints_macos_and_windows_in_the_configs_own_words()
    {
        var plan = Planned(ReadCircle(
            "version: 2",
            "jobs:",
            "  mac:",
            "    macos: {xcode: 15.4.0}",
            "    steps: [checkout]",
            "  win:",
            "    machine: {image: windows-server-2022-gui:current, shell: powershell.exe -ExecutionPolicy Bypass}",
            "    steps: [checkout]",
            "workflows:",
            "  w:",
            "    jobs: [mac, win]"));

        var executors = PlanPrinter.Print(plan).Split('\n').Where(line => line.Contains("executor:", StringComparison.Ordinal));

        Assert.Equal(["    executor: macos xcode 15.4.0", "    executor: windows machine image windows-server-2022-gui:current"], executors);
    }

    [Fact]
    public void Words_with_spaces_or_dollars_are_printed_quoted()
    {
        var plan = Planned(ReadCircle(
            "version: 2",
            "jobs:",
            "  build:",
            "    docker:",
            "      - image: mysql",
            "        entrypoint: [sh, -c, 'exec mysqld --datadir=$DATA']",
            "    steps: [checkout]"));

        Assert.Contains("      mysql [entrypoint sh -c 'exec mysqld --datadir=$DATA']\n", PlanPrinter.Print(plan), StringComparison.Ordinal);
    }

    [Fact]
    public void Prints_a_travis_phase_with_each_of_its_commands()
    {
        var plan = Planned(ReadTravis(
            "language: shell",
            "env: DB=mysql",
            "install: skip",
            "script:",
            "  - make",
            "  - |",
            "    make test",
            "    make lint",
            "after_failure: cat log"));

        Assert.Equal(
            """
            Travis config .travis.yml
            workflow: build
              job: job 1 (shell)
                parallelism: 1 (1 node)
                executor: shell
                working directory: (the checkout)
                environment:
                  DB=mysql
                steps:
                  1. checkout [checkout, when on_success, shell /bin/bash]
                  2. setup [run, when on_success, shell /bin/bash]
                     $ printf '\033[1m$ %s\033[0m\n' 'bash -c '\''echo $BASH_VERSION'\''' …
                  3. script [run, when on_success, shell /bin/bash]
                     $ make
                     $ make test …
                  4. after_failure [run, when on_fail, result ignored, shell /bin/bash]
                     $ cat log

            """,
            PlanPrinter.Print(plan));
    }
    [Fact]
    public void Prints_what_each_job_data_step_works_on()
    {
        var plan = Planned(ReadCircle(
            "version: 2",
            "jobs:",
            "  build:",
            "    steps:",
            "      - restore_cache: {keys: ['v1-{{ checksum \"yarn.lock\" }}', v1-]}",
            "      - save_cache: {key: v1, paths: [node_modules, ~/my cache]}",
            "      - persist_to_workspace: {root: ., paths: [dist]}",
            "      - attach_workspace: {at: /tmp/ws}",
            "      - store_artifacts: {path: logs, destination: build-logs}",
            "      - store_test_results: {path: results}"));

        var steps = PlanPrinter.Print(plan).Split('\n').SkipWhile(line => line != "    steps:").Skip(1);

        Assert.Equal(
            [
                "      1. Restoring Cache [restore_cache, when on_success, shell /bin/bash -eo pipefail]",
                "         restore_cache keys=['v1-{{ checksum \"yarn.lock\" }}', v1-]",
                "      2. Saving Cache [save_cache, when on_success, shell /bin/bash -eo pipefail]",
                "         save_cache key=v1 paths=[node_modules, '~/my cache']",
                "      3. Persisting to Workspace [persist_to_workspace, when on_success, shell /bin/bash -eo pipefail]",
                "         persist_to_workspace root=. paths=[dist]",
                "      4. Attaching Workspace [attach_workspace, when on_success, shell /bin/bash -eo pipefail]",
                "         attach_workspace at=/tmp/ws",
                "      5. Uploading artifacts [store_artifacts, when always, shell /bin/bash -eo pipefail]",
                "         store_artifacts path=logs destination=build-logs",
                "      6. Uploading test results [store_test_results, when always, shell /bin/bash -eo pipefail]",
                "         store_test_results path=results",
                "",
            ],
            steps);
    }

    [Fact]
    public void Prints_a_travis_cache_and_before_cache()
    {
        var plan = Planned(ReadTravis("language: python", "install: skip", "cache: pip", "script: pytest", "before_cache: rm -f log"));

        var text = PlanPrinter.Print(plan);

        Assert.Contains(
            """
                  2. Restoring the cache [restore_cache, when on_success, result ignored, shell /bin/bash]
                     restore_cache keys=['travis/{{ .Branch }}/cache-linux-focal-e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855--python-3.10', 'travis/{{ .DefaultBranch }}/cache-linux-focal-e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855--python-3.10'] exact
                  3. setup [run, when on_success, shell /bin/bash]
                     $ export TRAVIS_PYTHON_VERSION='3.10'

            """,
            text,
            StringComparison.Ordinal);
        Assert.Contains(
            """
                  4. script [run, when on_success, shell /bin/bash]
                     $ pytest
                  5. before_cache [run, when always, result ignored, shell /bin/bash]
                     $ rm -f log
                  6. Uploading the cache [save_cache, when always, result ignored, shell /bin/bash]
                     save_cache key='travis/{{ .Branch }}/cache-linux-focal-e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855--python-3.10' paths=[~/.cache/pip] replace

            """,
            text,
            StringComparison.Ordinal);
    }
}

using Porthole.Pipeline.Tests.Orbs;

namespace Porthole.Pipeline.Tests.Support;

/// <summary>
/// Stand-ins for the registry orbs the corpus imports (§A4 item 3), written into a test's orb store: each defines the
/// elements and parameters the corpus uses, in the orb source format, so that importing them is what makes those configs plan.
/// bench/config-compile uses the same store.
/// </summary>
internal static class CorpusOrbs
{
    private static string Lines(params string[] lines) => string.Join("\n", lines) + "\n";

    public static OrbFolder Write()
    {
        var folder = new OrbFolder();
        folder.Add("circleci", "shellcheck", "3.1.2", Lines(
            "version: 2.1",
            "description: Check shell scripts",
            "executors:",
            "  default:",
            "    docker:",
            "      - image: koalaman/shellcheck-alpine:stable",
            "jobs:",
            "  check:",
            "    parameters:",
            "      dir:",
            "        type: string",
            "        default: '.'",
            "    executor: default",
            "    steps:",
            "      - checkout",
            "      - run: find << parameters.dir >> -name '*.sh' | xargs -r shellcheck"));
        folder.Add("circleci", "shellcheck", "2.0.0", "version: 2.1\n");
        folder.Add("circleci", "node", "4.0.0", Lines(
            "version: 2.1",
            "executors:",
            "  default:",
            "    parameters:",
            "      tag: {type: string, default: lts}",
            "    docker:",
            "      - image: cimg/node:<< parameters.tag >>",
            "commands:",
            "  install:",
            "    parameters:",
            "      node-version: {type: string, default: ''}",
            "      install-npm: {type: boolean, default: true}",
            "      lts: {type: boolean, default: false}",
            "    steps:",
            "      - run: nvm install << parameters.node-version >>",
            "      - when:",
            "          condition: << parameters.install-npm >>",
            "          steps:",
            "            - run: npm install -g npm",
            "  install-packages:",
            "    parameters:",
            "      pkg-manager: {type: enum, enum: [npm, yarn, yarn-berry], default: npm}",
            "      override-ci-command: {type: string, default: ''}",
            "      cache-path: {type: string, default: ''}",
            "      include-branch-in-cache-key: {type: boolean, default: true}",
            "      app-dir: {type: string, default: '.'}",
            "    steps:",
            "      - restore_cache:",
            "          keys:",
            "            - node-deps-<<# parameters.include-branch-in-cache-key >>{{ .Branch }}-<</ parameters.include-branch-in-cache-key >>{{ checksum \"<< parameters.app-dir >>/package.json\" }}",
            "      - run:",
            "          working_directory: << parameters.app-dir >>",
            "          command: << parameters.override-ci-command >>"));
        folder.Add("circleci", "slack", "3.4.2", Lines(
            "version: 2.1",
            "commands:",
            "  status:",
            "    parameters:",
            "      fail_only: {type: boolean, default: false}",
            "      only_for_branches: {type: string, default: ''}",
            "    steps:",
            "      - run:",
            "          when: always",
            "          name: Slack status",
            "          command: echo 'notify << parameters.only_for_branches >>'"));
        folder.Add("circleci", "go", "0.2.0", Lines(
            "version: 2.1",
            "commands:",
            "  load-cache:",
            "    parameters:",
            "      key: {type: string, default: go-mod}",
            "    steps:",
            "      - restore_cache:",
            "          keys: ['<< parameters.key >>-{{ checksum \"go.sum\" }}']",
            "  save-cache:",
            "    parameters:",
            "      key: {type: string, default: go-mod}",
            "      path: {type: string, default: /go/pkg/mod}",
            "    steps:",
            "      - save_cache:",
            "          key: << parameters.key >>-{{ checksum \"go.sum\" }}",
            "          paths: ['<< parameters.path >>']"));
        folder.Add("circleci", "windows", "2.3.0", Lines(
            "version: 2.1",
            "executors:",
            "  default:",
            "    parameters:",
            "      shell: {type: string, default: powershell.exe -ExecutionPolicy Bypass}",
            "    machine:",
            "      image: windows-server-2019-vs2019:stable",
            "      resource_class: windows.medium",
            "      shell: << parameters.shell >>"));
        folder.Add("prometheus", "prometheus", "0.4.0", Lines(
            "version: 2.1",
            "orbs:",
            "  go: circleci/go@0.2.0",
            "executors:",
            "  golang:",
            "    docker:",
            "      - image: quay.io/prometheus/golang-builder:1.15-base",
            "commands:",
            "  setup_environment:",
            "    steps:",
            "      - checkout",
            "  check_proto:",
            "    parameters:",
            "      version: {type: string, default: 3.5.1}",
            "    steps:",
            "      - run: make proto PROTOC_VERSION=<< parameters.version >>",
            "  store_artifact:",
            "    parameters:",
            "      file: {type: string}",
            "    steps:",
            "      - store_artifacts:",
            "          path: << parameters.file >>",
            "jobs:",
            "  build:",
            "    executor: golang",
            "    steps:",
            "      - setup_environment",
            "      - go/load-cache",
            "      - run: promu crossbuild",
            "  publish_master:",
            "    parameters:",
            "      image: {type: string, default: circleci/golang:1}",
            "    docker:",
            "      - image: << parameters.image >>",
            "    steps:",
            "      - setup_environment",
            "      - run: make docker-publish",
            "  publish_release:",
            "    parameters:",
            "      image: {type: string, default: circleci/golang:1}",
            "    docker:",
            "      - image: << parameters.image >>",
            "    steps:",
            "      - setup_environment",
            "      - run: make docker-publish DOCKER_IMAGE_TAG=$CIRCLE_TAG"));
        return folder;
    }
}

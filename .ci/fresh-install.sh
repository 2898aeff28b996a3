#!/usr/bin/env bash
# The README's install step on an empty local repository, then a fresh application that resolves Hookguard (and
# everything else it needs) from that repository alone, offline: what a new user's machine does.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repo="$work/m2"
mkdir -p "$repo"

echo "fresh install: mvn -B -ntp install -DskipTests into an empty local repository"
mvn -B -ntp -q install -DskipTests -Dmaven.repo.local="$repo"

cp -r .ci/fresh-app "$work/app"
version=$(sed -n '0,/<artifactId>hookguard-parent<\/artifactId>/d; s:^  <version>\(.*\)</version>.*:\1:p' pom.xml | head -n 1)
echo "fresh app: builds offline against hookguard $version from that repository alone"
mvn -B -ntp -q -o -f "$work/app/pom.xml" -Dmaven.repo.local="$repo" -Dhookguard.version="$version" package
# Run it with hookguard-core and the two Jackson jars it depends on, at the versions its build chose.
jackson=$(sed -n 's:.*<jackson.version>\(.*\)</jackson.version>.*:\1:p' pom.xml | head -n 1)
annotations=$(ls -d "$repo"/com/fasterxml/jackson/core/jackson-annotations/"${jackson%.*}"* | sort -V | tail -n 1)
classpath="$work/app/target/classes:$repo/dev/hookguard/hookguard-core/$version/hookguard-core-$version.jar"
classpath="$classpath:$repo/com/fasterxml/jackson/core/jackson-core/$jackson/jackson-core-$jackson.jar:$(ls "$annotations"/*.jar | head -n 1)"
java -cp "$classpath" com.example.FreshApp

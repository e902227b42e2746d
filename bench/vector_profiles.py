"""Lists the Vector API call sites that C2 inlined from a type profile shared by several vector classes.

Reads the output of -XX:+PrintCompilation with -XX:CompileCommand=PrintInlining (bench/vector_profiles.sh).
C2 prints a profiled inlining decision as "TypeProfile (hits/total counts) = <class>"; where hits is below
total on a jdk.incubator.vector class, the site saw more than one class. Exits 1 when any such site exists.
"""
import re
import sys
from collections import defaultdict

COMPILE = re.compile(r'^\s*\d+\s+\d+\s+[%sbn! ]*\d\s+(\S+::\S+)')
PROFILE = re.compile(r'TypeProfile \((\d+)/(\d+) counts\) = jdk/incubator/vector/(\w+)')
CALLEE = re.compile(r'@ \d+\s+(\S+)')


def polluted_sites(lines):
    """{(compiled method, inlined callee): {vector classes seen with their share}}"""
    sites = defaultdict(dict)
    method = None
    for line in lines:
        compiled = COMPILE.match(line)
        if compiled:
            method = compiled.group(1)
            continue
        for hits, total, cls in PROFILE.findall(line):
            if int(hits) < int(total):
                callee = CALLEE.search(line)
                sites[(method, callee.group(1) if callee else '?')][cls] = int(hits) / int(total)
    return sites


def main(path):
    with open(path, errors='replace') as f:
        sites = polluted_sites(f)
    for (method, callee), classes in sorted(sites.items()):
        seen = ', '.join(f'{cls} {share:.0%}' for cls, share in sorted(classes.items()))
        print(f'POLLUTED {method} -> {callee}: {seen}')
    print(f'{len(sites)} Vector API call site(s) inlined from a profile of several vector classes')
    return 1 if sites else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))

// logoffcheck/report.h — everything a certification run leaves behind, for
// people and for machines. This room (harness/report) holds one file per
// format or reader:
//
//   document.h      the report and the one counterexample document (a part
//                   per kind of case: sequential steps, concurrent threads),
//                   JSON in and out
//   merge.h         merging the reports of a run's shards
//   junit.h         JUnit XML
//   text.h          the text tables the CLI prints
//   gtest_source.h  GoogleTest sources that reproduce a counterexample
//   html.h          the self-contained HTML page for people
//   replay.h        a counterexample document played again: replay()
//
// Every renderer works from a Report alone (its RunContext holds what only
// the run knows).
//
// Including this header includes them all.
#pragma once

#include "logoffcheck/document.h"
#include "logoffcheck/gtest_source.h"
#include "logoffcheck/html.h"
#include "logoffcheck/junit.h"
#include "logoffcheck/merge.h"
#include "logoffcheck/replay.h"
#include "logoffcheck/text.h"

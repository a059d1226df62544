// logoffcheck/report.h — everything a certification run leaves behind, for
// people and for machines. This room (harness/report) holds one file per
// format or reader:
//
//   document.h      the report and counterexample documents, JSON in and out
//   merge.h         merging the reports of a run's shards
//   junit.h         JUnit XML
//   text.h          the text tables the CLI prints
//   gtest_source.h  GoogleTest sources that reproduce a counterexample
//   html.h          the self-contained HTML page for people
//   concurrent_document.h  concurrent counterexamples (RC-4), text and JSON
//
// Including this header includes them all.
#pragma once

#include "logoffcheck/concurrent_document.h"
#include "logoffcheck/document.h"
#include "logoffcheck/gtest_source.h"
#include "logoffcheck/html.h"
#include "logoffcheck/junit.h"
#include "logoffcheck/merge.h"
#include "logoffcheck/text.h"

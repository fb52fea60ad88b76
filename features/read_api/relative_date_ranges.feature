Feature: relative date ranges
  With `duration`, a range runs forwards from `start_at` or backwards from `end_at`, and moves
  once so that it starts (or ends) at data.

  Background:
    Given a data set "licensing" in group "licensing" of type "applications"
    And "licensing_2.json" is in the data set

  Scenario: forwards from start_at
    When I query the data set with "start_at=2012-12-12T00:00:00%2B00:00&duration=2&period=day"
    Then the response status is 200
    And the results are
      """
      [{"_start_at": "2012-12-12T00:00:00+00:00", "_end_at": "2012-12-13T00:00:00+00:00", "_count": 2},
       {"_start_at": "2012-12-13T00:00:00+00:00", "_end_at": "2012-12-14T00:00:00+00:00", "_count": 1}]
      """

  Scenario: leading empty weeks are skipped
    When I query the data set with "start_at=2012-11-05T00:00:00%2B00:00&duration=10&period=week"
    Then the response has 10 results
    And the counts are [1, 4, 0, 0, 0, 0, 0, 0, 0, 0]
    And result 1 has "_start_at" equal to "2012-12-03T00:00:00+00:00"

  Scenario: trailing empty weeks are skipped
    When I query the data set with "end_at=2013-02-04T00:00:00%2B00:00&duration=10&period=week"
    Then the response has 10 results
    And the counts are [0, 0, 0, 0, 0, 0, 0, 0, 1, 4]
    And result 10 has "_end_at" equal to "2012-12-17T00:00:00+00:00"

  Scenario: grouped, backwards from end_at
    When I query the data set with "end_at=2012-12-16T00:00:00%2B00:00&duration=2&period=day&group_by=authority"
    Then the response has 1 results
    And result 1 has "authority" equal to "Westminster"
    And result 1 has "_count" equal to 2
    And the counts of result 1 are [1, 1]

  Scenario: duration needs a period
    When I query the data set with "duration=3&group_by=authority"
    Then the response status is 400
    And the error message is "If 'duration' is requested (for relative time), 'period' is required - please add a period (like 'day', 'month' etc)"

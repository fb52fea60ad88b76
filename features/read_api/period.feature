Feature: periods
  Period queries are bucketed by hour, day, week, month, quarter or year, always in time order
  and with empty periods filled.

  Background:
    Given a data set "licensing" in group "licensing" of type "applications"
    And "licensing_2.json" is in the data set

  Scenario: weekly counts with an empty week filled
    When I query the data set with "period=week&start_at=2012-11-26T00:00:00Z&end_at=2012-12-17T00:00:00Z"
    Then the response status is 200
    And the periods start on ["2012-11-26", "2012-12-03", "2012-12-10"]
    And the counts are [0, 1, 4]
    And result 1 is
      """
      {"_start_at": "2012-11-26T00:00:00+00:00", "_end_at": "2012-12-03T00:00:00+00:00", "_count": 0}
      """

  Scenario: periods nested in groups
    When I query the data set with "period=week&group_by=authority&start_at=2012-12-03T00:00:00Z&end_at=2012-12-17T00:00:00Z"
    Then the response status is 200
    And the results are
      """
      [{"authority": "Camden", "_count": 1, "_group_count": 1,
        "values": [
          {"_start_at": "2012-12-03T00:00:00+00:00", "_end_at": "2012-12-10T00:00:00+00:00", "_count": 0},
          {"_start_at": "2012-12-10T00:00:00+00:00", "_end_at": "2012-12-17T00:00:00+00:00", "_count": 1}]},
       {"authority": "Westminster", "_count": 4, "_group_count": 2,
        "values": [
          {"_start_at": "2012-12-03T00:00:00+00:00", "_end_at": "2012-12-10T00:00:00+00:00", "_count": 1},
          {"_start_at": "2012-12-10T00:00:00+00:00", "_end_at": "2012-12-17T00:00:00+00:00", "_count": 3}]}]
      """

  Scenario: periods and groups flattened, every combination filled
    When I query the data set with "period=week&group_by=authority&flatten=true&start_at=2012-12-03T00:00:00Z&end_at=2012-12-17T00:00:00Z"
    Then the response status is 200
    And the results are
      """
      [{"authority": "Camden", "_start_at": "2012-12-03T00:00:00+00:00", "_end_at": "2012-12-10T00:00:00+00:00", "_count": 0},
       {"authority": "Westminster", "_start_at": "2012-12-03T00:00:00+00:00", "_end_at": "2012-12-10T00:00:00+00:00", "_count": 1},
       {"authority": "Camden", "_start_at": "2012-12-10T00:00:00+00:00", "_end_at": "2012-12-17T00:00:00+00:00", "_count": 1},
       {"authority": "Westminster", "_start_at": "2012-12-10T00:00:00+00:00", "_end_at": "2012-12-17T00:00:00+00:00", "_count": 3}]
      """

  Scenario: daily counts
    When I query the data set with "period=day&start_at=2012-12-10T00:00:00Z&end_at=2012-12-17T00:00:00Z"
    Then the counts are [0, 0, 2, 1, 1, 0, 0]

  Scenario: a week must start on a Monday
    When I query the data set with "period=week&start_at=2012-12-04T00:00:00Z&end_at=2012-12-17T00:00:00Z"
    Then the response status is 400
    And the error message is "start_at must be a monday"

  Scenario: a period query needs a range
    When I query the data set with "period=week"
    Then the response status is 400
    And the error message is "Either 'duration' or both 'start_at' and 'end_at' are required for a period query"

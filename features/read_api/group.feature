Feature: grouping
  A dashboard counts records per value of one or more fields.

  Background:
    Given a data set "licensing" in group "licensing" of type "applications"
    And "licensing_2.json" is in the data set

  Scenario: grouping by a key
    When I query the data set with "group_by=authority"
    Then the response status is 200
    And the results are
      """
      [{"authority": "Camden", "_count": 1}, {"authority": "Westminster", "_count": 4}]
      """

  Scenario: grouping by two keys
    When I query the data set with "group_by=authority&group_by=licence_name"
    Then the results are
      """
      [{"authority": "Camden", "licence_name": "Temporary events notice", "_count": 1},
       {"authority": "Westminster", "licence_name": "Cat herding licence", "_count": 1},
       {"authority": "Westminster", "licence_name": "Temporary events notice", "_count": 3}]
      """

  Scenario: grouping by a field nobody has
    When I query the data set with "group_by=wibble"
    Then the response status is 200
    And the response has 0 results

  Scenario: grouping by an internal field is refused
    When I query the data set with "group_by=_anything"
    Then the response status is 400
    And the error message is "Cannot group by internal fields, internal fields start with an underscore"

Feature: licensing
  The licensing application posts its submitted-applications report with its own ids.

  Scenario: receiving data from licensing
    Given a data set "licensing_volume" in group "licensing" of type "volume"
      """
      {"capped_size": null}
      """
    When I POST "SubmittedApplicationsReport.json" to "/data/licensing/volume" with the data set's token
    Then the response status is 200
    And the data set "licensing_volume" holds 16 records
    And the data set "licensing_volume" holds 1 record with "_id" "west-lancashire-1063"
    And the data set "licensing_volume" holds 2 records in the day starting "2013-02-18"
    When I POST "SubmittedApplicationsReport.json" to "/data/licensing/volume" with the data set's token
    Then the response status is 200
    And the data set "licensing_volume" holds 16 records
